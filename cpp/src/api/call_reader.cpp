#include "api/call_reader.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "api/input_boxes.hpp"
#include "kernels/mask_tile_ops.hpp"

namespace instaug {
namespace {

const char* dtype_name(int depth) {
    static const char* const names[] = {"uint8", "int8", "uint16", "int16", "int32", "float32", "float64", "float16"};
    return depth >= 0 && depth < 8 ? names[depth] : "unknown";
}

std::string shape_of(const cv::Mat& m) {
    if (m.dims != 2) return "(" + std::to_string(m.dims) + " dimensions)";
    std::string out = "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols);
    return out + (m.channels() > 1 ? ", " + std::to_string(m.channels()) + ")" : ")");
}

[[noreturn]] void refuse(const std::string& message) { throw std::invalid_argument(message); }

void check_image(const cv::Mat& image, const std::string& name) {
    if (image.depth() != CV_8U && image.depth() != CV_32F)
        refuse(name + " must be uint8 or float32, got dtype " + dtype_name(image.depth()));
    if (image.dims != 2 || image.channels() > 4)
        refuse(name + " must be (H, W) or (H, W, C) with 1 to 4 channels, got shape " + shape_of(image));
    if (image.rows == 0 || image.cols == 0) refuse(name + " must not be empty, got shape " + shape_of(image));
}

void check_same_size(const cv::Mat& m, cv::Size size, const std::string& name) {
    if (m.dims != 2 || m.rows != size.height || m.cols != size.width)
        refuse(name + " must be (" + std::to_string(size.height) + ", " + std::to_string(size.width) +
               ") or (" + std::to_string(size.height) + ", " + std::to_string(size.width) + ", C), got shape " +
               shape_of(m));
}

void check_plain_mask(const cv::Mat& m, cv::Size size, const std::string& name) {
    check_same_size(m, size, name);
    if (m.depth() == CV_16F) refuse(name + " must have an integer, bool or float dtype, got float16");
}

// An instance mask: one channel of 8, 16 or 32-bit integers, the canvas' size.
MaskPlaneView mask_view(const cv::Mat& m, cv::Size size, const std::string& name) {
    if (m.depth() == CV_32F || m.depth() == CV_64F || m.depth() == CV_16F)
        refuse(name + " must have an integer or bool dtype, got " + dtype_name(m.depth()));
    if (m.dims != 2 || m.channels() != 1 || m.rows != size.height || m.cols != size.width)
        refuse(name + " must be (" + std::to_string(size.height) + ", " + std::to_string(size.width) +
               ") or (" + std::to_string(size.height) + ", " + std::to_string(size.width) + ", 1), got shape " +
               shape_of(m));
    MaskPlaneView v;
    v.data = m.data;
    v.width = m.cols;
    v.height = m.rows;
    v.element_bytes = static_cast<int>(m.elemSize());
    v.col_stride = static_cast<std::ptrdiff_t>(m.elemSize());
    v.row_stride = static_cast<std::ptrdiff_t>(m.step[0]);
    v.cv_type = m.type();
    return v;
}

// Rows of numbers (CV_32F or CV_64F, one channel, at least `columns` wide) as doubles.
std::vector<double> number_rows(const cv::Mat& m, int columns, const std::string& name, bool exact = false) {
    if (m.empty()) return {};
    if ((m.depth() != CV_32F && m.depth() != CV_64F) || m.channels() != 1 || m.dims != 2)
        refuse(name + " must be a one-channel CV_32F or CV_64F matrix, got " + dtype_name(m.depth()) + " with " +
               std::to_string(m.channels()) + " channel(s)");
    if (exact ? m.cols != columns : m.cols < columns)
        refuse(name + " must have shape (N, " + (exact ? "" : ">= ") + std::to_string(columns) + "), got " +
               shape_of(m));
    cv::Mat values;
    m.convertTo(values, CV_64F);
    std::vector<double> out(values.begin<double>(), values.end<double>());
    for (int r = 0; r < m.rows; ++r)
        for (int c = 0; c < columns; ++c)
            if (!std::isfinite(out[static_cast<std::size_t>(r) * m.cols + c])) refuse(name + " must hold finite numbers");
    return out;
}

class Reader {
public:
    Reader(const ComposeConfig& config, CallData& out) : config_(config), out_(out) {}

    void read(const Input& input) {
        Sample& s = out_.sample;
        if (!input.image.empty()) {
            check_image(input.image, "image");
            s.image = input.image;
        } else if (input.size.width <= 0 || input.size.height <= 0) {
            refuse("pass an image (or Input::size for masks and boxes alone) so that the sample has a shape");
        }
        const cv::Size size = input.image.empty() ? input.size : input.image.size();
        s.width = size.width;
        s.height = size.height;
        if (!input.mask.empty()) {
            check_plain_mask(input.mask, size, "mask");
            s.mask_planes.push_back(input.mask);
            out_.has_plain_mask = true;
        }
        read_additional(input, size);
        read_rows(input, size);
        read_items(input);
        for (const Json& label : labels_)
            if (!label.is_null()) s.row_labels = labels_;
        s.call_numbers = input.numbers;
        // Each transform checks what it reads (call_box, call_region, call_image_list).
        s.call_images = input.images;
    }

private:
    void read_additional(const Input& input, cv::Size size) {
        for (const auto& [key, is_image] : config_.additional) {
            const auto found = input.additional.find(key);
            if (found == input.additional.end() || found->second.empty()) continue;
            if (is_image) {
                if (input.image.empty()) refuse("Additional target '" + key + "' requires canonical target 'image' to be present.");
                check_image(found->second, key);
                if (found->second.size() != size)
                    refuse(key + " must have the image's height and width (" + std::to_string(size.height) + ", " +
                           std::to_string(size.width) + "), got " + shape_of(found->second));
                out_.sample.extra_images.push_back(found->second);
                out_.additional_images.push_back(key);
            } else {
                check_plain_mask(found->second, size, key);
                out_.sample.mask_planes.push_back(found->second);
                out_.additional_masks.push_back(key);
            }
        }
        for (const auto& [key, value] : input.additional)
            if (!config_.additional.count(key)) refuse("additional['" + key + "']: the pipeline file names no such additional target");
    }

    // The call's rows: N from the boxes, the masks or the keypoint counts, which must agree.
    void read_rows(const Input& input, cv::Size size) {
        InstanceTable& rows = out_.sample.rows;
        const int n = row_count(input, "");
        check_labels(input, n, "");
        if (!input.boxes.empty() && !config_.boxes) refuse("boxes need bbox_params in the pipeline file");
        rows.has_boxes = config_.boxes.has_value();
        if (rows.has_boxes) rows.boxes = boxes_of(input, size, n, "boxes");
        rows.has_masks = !input.masks.empty() || items_carry(input, [](const Input& i) { return !i.masks.empty(); });
        if (rows.has_masks && input.masks.empty() && n > 0)
            refuse("masks: the metadata items carry masks: give the call's rows theirs too");
        rows.mask_type = CV_8UC1;
        for (std::size_t i = 0; i < input.masks.size(); ++i) {
            out_.sample.unresolved_masks.push_back(mask_view(input.masks[i], size, "masks[" + std::to_string(i) + "]"));
            if (input.masks[i].type() != input.masks[0].type())
                refuse("masks must share one type, got " + std::string(dtype_name(input.masks[0].depth())) + " and " +
                       dtype_name(input.masks[i].depth()));
        }
        if (rows.has_masks) {
            rows.masks.resize(input.masks.size());
            rows.mask_type = input.masks[0].type();
        }
        read_keypoints(input, n);
        for (int i = 0; i < n; ++i) add_origin("", -1, i, input);
        rows.source_ids.resize(n);
        for (int i = 0; i < n; ++i) rows.source_ids[i] = i;
    }

    template <class Test>
    static bool items_carry(const Input& input, Test test) {
        for (const auto& [key, list] : input.metadata)
            for (const Input& item : list)
                if (test(item)) return true;
        return false;
    }

    static void check_labels(const Input& input, int n, const std::string& where) {
        if (!input.labels.empty() && static_cast<int>(input.labels.size()) != n)
            refuse(where + "labels: one per row expected, got " + std::to_string(input.labels.size()) + " for " +
                   std::to_string(n) + " rows");
    }

    int row_count(const Input& input, const std::string& where) const {
        int n = -1;
        auto agree = [&](int count, const char* what) {
            if (n >= 0 && count != n)
                refuse(where + what + ": one per row expected, got " + std::to_string(count) + " for " +
                       std::to_string(n) + " rows");
            n = count;
        };
        if (!input.boxes.empty()) agree(input.boxes.rows, "boxes");
        if (!input.masks.empty()) agree(static_cast<int>(input.masks.size()), "masks");
        if (!input.keypoints_per_row.empty()) agree(static_cast<int>(input.keypoints_per_row.size()), "keypoints_per_row");
        if (!input.ids.empty()) agree(static_cast<int>(input.ids.size()), "ids");
        return std::max(n, 0);
    }

    std::vector<std::array<double, 4>> boxes_of(const Input& input, cv::Size size, int n, const std::string& name) {
        if (input.boxes.empty()) {
            if (n > 0) refuse(name + ": the pipeline has bbox_params: give one box per row (N x 4)");
            return {};
        }
        const std::vector<double> values = number_rows(input.boxes, 4, name);
        return prepare_boxes(values.data(), static_cast<std::size_t>(n), static_cast<std::size_t>(input.boxes.cols),
                             config_.boxes->input, size.height, size.width, name);
    }

    void read_keypoints(const Input& input, int n) {
        InstanceTable& rows = out_.sample.rows;
        rows.keypoint_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
        const bool items_bound = items_carry(input, [](const Input& i) { return !i.keypoints_per_row.empty(); });
        if (input.keypoints.empty() && input.keypoints_per_row.empty() && !items_bound) return;
        if (!config_.keypoints) refuse("keypoints need keypoint_params in the pipeline file");
        const KeypointParams& params = *config_.keypoints;
        const int width = keypoint_width(params.format);
        const bool bound = !input.keypoints_per_row.empty() || items_bound;
        if (bound && input.keypoints_per_row.empty() && n > 0)
            refuse("keypoints_per_row: the metadata items' keypoints belong to rows: give the call's rows theirs too");
        const std::vector<double> values = number_rows(input.keypoints, width, "keypoints", bound);
        const int m = input.keypoints.empty() ? 0 : input.keypoints.rows;
        std::vector<double> internal(static_cast<std::size_t>(m) * kKeypointColumns);
        for (int k = 0; k < m; ++k)
            keypoint_to_internal(&values[static_cast<std::size_t>(k) * input.keypoints.cols], params.format,
                                 params.angle_in_degrees, &internal[static_cast<std::size_t>(k) * kKeypointColumns]);
        if (!bound) {
            out_.keypoint_columns = input.keypoints.cols;
            out_.sample.free_keypoints.points = std::move(internal);
            out_.sample.free_keypoints.source_ids.resize(m);
            for (int k = 0; k < m; ++k) out_.sample.free_keypoints.source_ids[k] = k;
            out_.has_free_keypoints = true;
            return;
        }
        int64_t total = 0;
        for (int i = 0; i < n; ++i) {
            const int count = input.keypoints_per_row[i];
            if (count < 0) refuse("keypoints_per_row[" + std::to_string(i) + "] must be >= 0, got " + std::to_string(count));
            total += count;
            rows.keypoint_offsets[i + 1] = total;
        }
        if (total != m)
            refuse("keypoints_per_row must sum to the number of keypoints (" + std::to_string(m) + "), got " +
                   std::to_string(total));
        out_.keypoint_columns = width;
        rows.has_keypoints = true;
        rows.keypoints = std::move(internal);
    }

    void add_origin(const std::string& key, int item, int row, const Input& from) {
        out_.origins.sources.push_back({key, item, row, from.ids.empty() ? row : from.ids[row]});
        labels_.push_back(from.labels.empty() ? Json() : Json(from.labels[row]));
    }

    void read_items(const Input& input) {
        for (const auto& [key, list] : input.metadata)
            if (!config_.metadata_keys.count(key))
                refuse("metadata['" + key + "']: no transform of the pipeline reads it");
        for (const auto& [key, form] : config_.metadata_keys) {
            const auto found = input.metadata.find(key);
            if (found == input.metadata.end())
                refuse("the pipeline has a transform reading " + key + "; pass it in Input::metadata (a list, may be empty)");
            if (input.image.empty()) refuse("the mixing transforms need an image in the call");
            std::vector<MixItem>& items = out_.items[key];
            for (std::size_t i = 0; i < found->second.size(); ++i)
                items.push_back(item_of(found->second[i], form, key, static_cast<int>(i), input));
        }
    }

    MixItem item_of(const Input& item, MixItemForm form, const std::string& key, int index, const Input& call) {
        const std::string where = key + "[" + std::to_string(index) + "]";
        MixItem out;
        out.where = where;
        check_image(item.image, where + "['image']");
        if (item.image.channels() != call.image.channels())
            refuse(where + "['image'] has " + std::to_string(item.image.channels()) + " channel(s); the image has " +
                   std::to_string(call.image.channels()));
        if (item.image.depth() != call.image.depth())
            refuse(where + "['image'] has dtype " + dtype_name(item.image.depth()) + "; the image has " +
                   dtype_name(call.image.depth()));
        out.image = item.image;
        if (form == MixItemForm::Element) return element_of(item, where, std::move(out));
        const cv::Size size = item.image.size();
        const int n = row_count(item, where + ": ");
        check_labels(item, n, where + ": ");
        if (form == MixItemForm::Donor && n > 1) refuse(where + ": a donor is one object: give at most one mask and one box");
        if (form == MixItemForm::Donor && item.masks.empty() && item.boxes.empty())
            refuse(where + " needs a 'mask' or a 'bbox' to define what is pasted");
        InstanceTable& rows = out_.sample.rows;
        for (std::size_t j = 0; j < item.masks.size(); ++j) {
            out.masks.push_back(mask_view(item.masks[j], size, where + "['masks'][" + std::to_string(j) + "]"));
            check_mask_type(item.masks[j].type(), where + "['masks'][" + std::to_string(j) + "]");
        }
        if (rows.has_masks && !item.masks.empty() && static_cast<int>(item.masks.size()) != n)
            refuse(where + ": one mask per object expected");
        if (!item.boxes.empty() && !config_.boxes) refuse(where + "['bbox'] needs bbox_params in the pipeline file");
        if (rows.has_boxes) {
            if (!item.boxes.empty()) out.boxes = boxes_of(item, size, n, where + "['bboxes']");
            else if (form == MixItemForm::Donor) out.boxes.assign(1, {0, 0, 0, 0});  // the pasted mask's box
            else out.boxes = boxes_of(item, size, n, where + "['bboxes']");
        }
        const int count = form == MixItemForm::Donor ? 1 : n;
        read_item_keypoints(item, form, where, count, out);
        if (form == MixItemForm::Donor && rows.has_masks && item.masks.empty()) out.mask_on_element = mask_on_element(call);
        if (form == MixItemForm::Sample && !item.mask.empty() && !call.mask.empty() && !rows.has_masks) {
            check_plain_mask(item.mask, size, where + "['mask']");
            out.semantic_mask = item.mask;
        }
        const int64_t first = static_cast<int64_t>(out_.origins.sources.size());
        for (int j = 0; j < count; ++j) {
            out.source_ids.push_back(first + j);
            add_origin(key, index, j, item);
        }
        return out;
    }

    void check_mask_type(int type, const std::string& where) {
        InstanceTable& rows = out_.sample.rows;
        if (!rows.has_masks) return;
        if (!out_.sample.unresolved_masks.empty() || mask_type_fixed_) {
            if (type != rows.mask_type)
                refuse(where + " has dtype " + dtype_name(CV_MAT_DEPTH(type)) + "; the call's masks are " +
                       dtype_name(CV_MAT_DEPTH(rows.mask_type)));
            return;
        }
        rows.mask_type = type;  // the call brought no mask: the first item's type is the call's
        mask_type_fixed_ = true;
    }

    void read_item_keypoints(const Input& item, MixItemForm form, const std::string& where, int count, MixItem& out) {
        out.keypoint_offsets.assign(static_cast<std::size_t>(count) + 1, 0);
        if (!out_.sample.rows.has_keypoints) return;
        const KeypointParams& params = *config_.keypoints;
        const int width = keypoint_width(params.format);
        const std::vector<double> values = number_rows(item.keypoints, width, where + "['keypoints']", true);
        const int m = item.keypoints.empty() ? 0 : item.keypoints.rows;
        if (form == MixItemForm::Donor) {
            out.keypoint_offsets[1] = m;
        } else {
            if (static_cast<int>(item.keypoints_per_row.size()) != count)
                refuse(where + "['keypoints'] must hold one group per object (" + std::to_string(count) + "), got " +
                       std::to_string(item.keypoints_per_row.size()));
            int64_t total = 0;
            for (int j = 0; j < count; ++j) {
                if (item.keypoints_per_row[j] < 0) refuse(where + ": keypoints_per_row must be >= 0");
                total += item.keypoints_per_row[j];
                out.keypoint_offsets[j + 1] = total;
            }
            if (total != m) refuse(where + ": keypoints_per_row must sum to the number of keypoints (" + std::to_string(m) + ")");
        }
        out.keypoints.resize(static_cast<std::size_t>(m) * kKeypointColumns);
        for (int k = 0; k < m; ++k)
            keypoint_to_internal(&values[static_cast<std::size_t>(k) * width], params.format, params.angle_in_degrees,
                                 &out.keypoints[static_cast<std::size_t>(k) * kKeypointColumns]);
    }

    // A donor given by its box alone pastes the call's "object" value: the first non-blank row
    // mask's largest value (0/255 masks paste 255), else 1.
    std::vector<uint8_t> mask_on_element(const Input& call) {
        const cv::Mat* first = nullptr;
        double top = 0;
        for (const cv::Mat& m : call.masks) {
            double low = 0, high = 0;
            cv::minMaxLoc(m, &low, &high);
            if (high != 0) {
                first = &m;
                top = high;
                break;
            }
        }
        if (first == nullptr) return {};
        cv::Mat one(1, 1, out_.sample.rows.mask_type);
        one.setTo(cv::Scalar::all(top));
        return std::vector<uint8_t>(one.data, one.data + one.elemSize());
    }

    // OverlayElements: an image, an optional mask (where it shows), an optional box normalised to
    // [0, 1] and an optional numbers["mask_id"] (written into the plain mask).
    MixItem element_of(const Input& item, const std::string& where, MixItem out) {
        if (!item.mask.empty()) {
            if (item.mask.dims != 2 || item.mask.channels() != 1 || item.mask.size() != item.image.size())
                refuse(where + "['mask'] must be (H, W) with its image's size");
            cv::Mat on = item.mask != 0;
            out.semantic_mask = on / 255;
        }
        if (!item.boxes.empty()) {
            const std::vector<double> box = number_rows(item.boxes, 4, where + "['bbox']");
            const bool ok = item.boxes.rows == 1 && box[0] >= 0 && box[1] >= 0 && box[2] <= 1 && box[3] <= 1 &&
                            box[0] < box[2] && box[1] < box[3];
            if (!ok)
                refuse(where + "['bbox'] must be x_min < x_max, y_min < y_max, normalised to [0, 1]; got " +
                       python_repr(Json::array({box[0], box[1], box[2], box[3]})));
            out.boxes.push_back({box[0], box[1], box[2], box[3]});
        }
        const auto id = item.numbers.find("mask_id");
        if (id != item.numbers.end()) {
            if (id->second.size() != 1) refuse(where + "['mask_id'] must be one number");
            out.mask_value = id->second[0];
        }
        return out;
    }

    const ComposeConfig& config_;
    CallData& out_;
    Json labels_ = Json::array();  // the first label of each row by source id (null: none given)
    bool mask_type_fixed_ = false;
};

}  // namespace

CallData read_input(const Input& input, const ComposeConfig& config) {
    CallData out;
    Reader reader(config, out);
    reader.read(input);
    return out;
}

}  // namespace instaug
