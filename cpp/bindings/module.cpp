// The nanobind module: converts Python descriptions and NumPy arrays into the C++ sample, runs the
// pipeline with the GIL released, and hands results back as NumPy arrays that own C++ memory.
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <opencv2/core/utility.hpp>

#include "api/input_boxes.hpp"
#include "api/result_writer.hpp"
#include "core/buffer_cache.hpp"
#include "core/coco_rle.hpp"
#include "core/encoded_mask.hpp"
#include "core/index_map.hpp"
#include "core/stacked_masks.hpp"
#include "kernels/cpu_features.hpp"
#include "kernels/mask_tile_ops.hpp"
#include "core/mix_item.hpp"
#include "core/output_planes.hpp"
#include "core/pipeline.hpp"
#include "core/random.hpp"
#include "transforms/pipeline_file.hpp"
#include "transforms/registry.hpp"
#include "instaug/geometry.hpp"
#include "instaug/version.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using instaug::kKeypointColumns;

namespace {

// Read-only arrays are welcome (np.asarray of a PIL image is one): the core never writes inputs.
using AnyArray = nb::ndarray<nb::ro, nb::device::cpu>;
using Rows2D = nb::ndarray<const double, nb::ndim<2>, nb::c_contig>;
using Ids = nb::ndarray<const int64_t, nb::ndim<1>, nb::c_contig>;

// The values of a typed array. NumPy makes arrays whose data sits at an odd byte offset (a view
// into a byte buffer) and nanobind passes them on as they are: reading them through a typed
// pointer is undefined behaviour, so they are refused here (the facade copies them first).
template <class T, class... Extra>
const T* values_of(const nb::ndarray<const T, Extra...>& a, const std::string& what) {
    if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(T) != 0)
        throw std::invalid_argument(what + " must be aligned to its element size (" + std::to_string(sizeof(T)) +
                                    " bytes)");
    return a.data();
}


// Python values <-> JSON: transform arguments cross as typed values (None, bool, int, float, str,
// lists, dicts), exactly what a pipeline file holds.
instaug::Json to_json(nb::handle value, const std::string& where) {
    if (value.is_none()) return nullptr;
    if (nb::isinstance<nb::bool_>(value)) return nb::cast<bool>(value);
    if (nb::isinstance<nb::int_>(value)) {
        int64_t whole = 0;
        if (!nb::try_cast(value, whole))
            throw std::invalid_argument(where + ": the integer " + nb::cast<std::string>(nb::str(value)) +
                                        " does not fit in 64 bits");
        return whole;
    }
    if (nb::isinstance<nb::float_>(value)) return nb::cast<double>(value);
    if (nb::isinstance<nb::str>(value)) return nb::cast<std::string>(value);
    if (nb::isinstance<nb::list>(value) || nb::isinstance<nb::tuple>(value)) {
        instaug::Json out = instaug::Json::array();
        std::size_t i = 0;
        for (nb::handle item : value) out.push_back(to_json(item, where + "[" + std::to_string(i++) + "]"));
        return out;
    }
    if (nb::isinstance<nb::dict>(value)) {
        instaug::Json out = instaug::Json::object();
        for (auto [k, v] : nb::borrow<nb::dict>(value)) {
            if (!nb::isinstance<nb::str>(k)) throw nb::type_error((where + ": dict keys must be strings").c_str());
            const std::string key = nb::cast<std::string>(k);
            out[key] = to_json(v, where + "['" + key + "']");
        }
        return out;
    }
    // NumPy scalars and other numbers: through Python's own int() / float().
    if (nb::hasattr(value, "dtype") && nb::hasattr(value, "item")) return to_json(value.attr("item")(), where);
    throw nb::type_error((where + ": cannot use a value of type " +
                          nb::cast<std::string>(nb::str(value.type().attr("__name__"))) + " as an argument")
                             .c_str());
}

nb::object to_python(const instaug::Json& value) {
    switch (value.type()) {
        case instaug::Json::value_t::null: return nb::none();
        case instaug::Json::value_t::boolean: return nb::bool_(value.get<bool>());
        case instaug::Json::value_t::number_integer: return nb::int_(value.get<int64_t>());
        case instaug::Json::value_t::number_unsigned: return nb::int_(value.get<uint64_t>());
        case instaug::Json::value_t::number_float: return nb::float_(value.get<double>());
        case instaug::Json::value_t::string: return nb::str(value.get<std::string>().c_str());
        case instaug::Json::value_t::array: {
            nb::list out;
            for (const auto& item : value) out.append(to_python(item));
            return out;
        }
        case instaug::Json::value_t::object: {
            nb::dict out;
            for (const auto& [k, v] : value.items()) out[k.c_str()] = to_python(v);
            return out;
        }
        default: throw std::invalid_argument("unsupported JSON value");
    }
}

// OpenCV depth for a NumPy dtype; 64-bit integers travel as opaque bytes (nearest-only work).
int cv_depth_channels(const nb::dlpack::dtype& dt, int channels, int& cv_type) {
    const auto code = static_cast<nb::dlpack::dtype_code>(dt.code);
    const int bits = dt.bits;
    int depth = -1;
    if (code == nb::dlpack::dtype_code::Bool || (code == nb::dlpack::dtype_code::UInt && bits == 8)) depth = CV_8U;
    else if (code == nb::dlpack::dtype_code::Int && bits == 8) depth = CV_8S;
    else if (code == nb::dlpack::dtype_code::UInt && bits == 16) depth = CV_16U;
    else if (code == nb::dlpack::dtype_code::Int && bits == 16) depth = CV_16S;
    else if ((code == nb::dlpack::dtype_code::Int || code == nb::dlpack::dtype_code::UInt) && bits == 32) depth = CV_32S;
    else if (code == nb::dlpack::dtype_code::Float && bits == 32) depth = CV_32F;
    else if (code == nb::dlpack::dtype_code::Float && bits == 64) depth = CV_64F;
    else if ((code == nb::dlpack::dtype_code::Int || code == nb::dlpack::dtype_code::UInt) && bits == 64) {
        if (channels < 1 || 8 * channels > CV_CN_MAX)
            throw std::invalid_argument("a 64-bit array must have 1 to " + std::to_string(CV_CN_MAX / 8) +
                                        " channels, got " + std::to_string(channels));
        cv_type = CV_8UC(8 * channels);
        return CV_8U;
    }
    if (depth < 0) throw std::invalid_argument("unsupported array dtype");
    if (channels < 1 || channels > CV_CN_MAX)
        throw std::invalid_argument("an array must have 1 to " + std::to_string(CV_CN_MAX) + " channels, got " +
                                    std::to_string(channels));
    cv_type = CV_MAKETYPE(depth, channels);
    return depth;
}

// A cv::Mat header over an (H, W) or (H, W, C) array with packed pixels: no copy. Strides of axes
// of length 1 mean nothing, so they are not checked.
cv::Mat wrap_plane(const AnyArray& a, const char* what) {
    if (a.ndim() != 2 && a.ndim() != 3) throw std::invalid_argument(std::string(what) + " must be 2-D or 3-D");
    const int channels = a.ndim() == 3 ? static_cast<int>(a.shape(2)) : 1;
    int type = 0;
    cv_depth_channels(a.dtype(), channels, type);
    const int64_t elem = a.itemsize();
    const int64_t rows = static_cast<int64_t>(a.shape(0)), cols = static_cast<int64_t>(a.shape(1));
    // Rows may be padded (a crop view of a bigger array), pixels must be packed and rows must
    // follow one another: the facade copies any other layout before it gets here.
    if (channels > 1 && a.stride(2) != 1) throw std::invalid_argument(std::string(what) + " must have packed channels");
    if (cols > 1 && a.stride(1) != channels) throw std::invalid_argument(std::string(what) + " must have packed pixels");
    if (rows > 1 && a.stride(0) < cols * channels)
        throw std::invalid_argument(std::string(what) + " must have rows at increasing addresses, apart");
    if (reinterpret_cast<uintptr_t>(a.data()) % static_cast<uintptr_t>(elem) != 0)
        throw std::invalid_argument(std::string(what) + " must be aligned to its element size");
    const size_t step = rows > 1 ? static_cast<size_t>(a.stride(0) * elem) : cv::Mat::AUTO_STEP;
    return cv::Mat(static_cast<int>(rows), static_cast<int>(cols), type, const_cast<void*>(a.data()), step);
}

struct OwnedBuffer {
    cv::Mat mat;
    void* raw = nullptr;
    ~OwnedBuffer() { std::free(raw); }
};

// A NumPy array over `data`, which `holder` owns; NumPy deletes the holder with the array.
template <class Holder>
nb::object owned_array(Holder* holder, void* data, std::vector<size_t> shape, nb::dlpack::dtype dt) {
    nb::capsule owner(holder, [](void* p) noexcept { delete static_cast<Holder*>(p); });
    return nb::cast(nb::ndarray<nb::numpy>(data, shape.size(), shape.data(), owner, nullptr, dt));
}

// Output plane: a fresh continuous buffer (a view of the caller's input is copied, never returned).
nb::object plane_to_numpy(cv::Mat m, nb::dlpack::dtype dt, bool channel_axis) {
    if (m.u == nullptr || !m.isContinuous()) m = m.clone();
    auto* holder = new OwnedBuffer{m};
    std::vector<size_t> shape{static_cast<size_t>(m.rows), static_cast<size_t>(m.cols)};
    const size_t elem_bytes = static_cast<size_t>(dt.bits / 8);
    const size_t channels = m.elemSize() / elem_bytes;
    if (channel_axis) shape.push_back(channels);
    return owned_array(holder, holder->mat.data, shape, dt);
}

// The planes as (height, width) arrays; NumPy keeps each plane's owner alive. Holding the GIL.
nb::list planes_to_numpy(instaug::OutputMaskPlanes& planes, int width, int height, nb::dlpack::dtype dt) {
    nb::list out;
    for (auto& plane : planes.planes()) {
        auto* holder = new std::shared_ptr<void>(std::move(plane.owner));
        out.append(owned_array(holder, plane.data, {static_cast<size_t>(height), static_cast<size_t>(width)}, dt));
    }
    return out;
}

template <class T>
nb::object vector_to_numpy(std::vector<T>&& v, std::vector<size_t> shape) {
    const size_t bytes = v.size() * sizeof(T);
    auto* holder = new OwnedBuffer{};
    holder->raw = std::malloc(bytes ? bytes : 1);
    if (bytes) std::memcpy(holder->raw, v.data(), bytes);
    return owned_array(holder, holder->raw, shape, nb::dtype<T>());
}


// Keypoint offsets of n rows over m keypoints: 0 first, m last, never decreasing (a row's
// keypoints are offsets[i] to offsets[i + 1]).
void check_offsets(const Ids& offsets, size_t n, size_t m, const std::string& where) {
    if (offsets.shape(0) != n + 1) throw std::invalid_argument(where + ": keypoints need N + 1 offsets");
    const int64_t* o = values_of(offsets, where + ": keypoint offsets");
    bool ok = o[0] == 0 && o[n] == static_cast<int64_t>(m);
    for (size_t i = 0; ok && i < n; ++i) ok = o[i] <= o[i + 1];
    if (!ok) throw std::invalid_argument(where + ": keypoint offsets must run from 0 to the keypoint count, never decreasing");
}

// Read byte by byte (element_nonzero, memcpy), so a plane at any byte offset will do.
instaug::MaskPlaneView plane_view(const AnyArray& m, const char* what) {
    if (m.ndim() != 2) throw std::invalid_argument(std::string(what) + ": instance masks must be 2-D");
    instaug::MaskPlaneView v;
    v.data = static_cast<const uint8_t*>(m.data());
    v.height = static_cast<int>(m.shape(0));
    v.width = static_cast<int>(m.shape(1));
    v.element_bytes = static_cast<int>(m.itemsize());
    v.row_stride = m.stride(0) * v.element_bytes;
    v.col_stride = m.stride(1) * v.element_bytes;
    cv_depth_channels(m.dtype(), 1, v.cv_type);
    return v;
}

// A Mosaic neighbour or CopyAndPaste donor as Python hands it over: image, plain mask, instance
// mask planes, boxes, keypoints with their offsets, source ids, and the bytes of one "on" mask
// element (for a row given by its box alone; empty: the value 1).
struct MixItemInput {
    AnyArray image;
    std::optional<AnyArray> semantic_mask;
    std::vector<std::optional<AnyArray>> masks;  // None: the row's mask is in encoded_masks
    std::map<int64_t, instaug::EncodedMask> encoded_masks;
    std::optional<Rows2D> boxes, keypoints;
    std::optional<Ids> keypoint_offsets;
    Ids source_ids;
    std::string mask_on;
    double mask_value = std::numeric_limits<double>::quiet_NaN();
};

instaug::MixItem make_item(const MixItemInput& in, const std::string& where) {
    instaug::MixItem item;
    item.where = where;
    item.mask_on_element.assign(in.mask_on.begin(), in.mask_on.end());
    item.mask_value = in.mask_value;
    item.image = wrap_plane(in.image, where.c_str());
    if (in.semantic_mask) item.semantic_mask = wrap_plane(*in.semantic_mask, where.c_str());
    const size_t n = in.source_ids.shape(0);
    const int64_t* ids = values_of(in.source_ids, where + ": source ids");
    item.source_ids.assign(ids, ids + n);
    for (std::size_t r = 0; r < in.masks.size(); ++r) {
        const auto& m = in.masks[r];
        if (!m) {
            const auto found = in.encoded_masks.find(static_cast<int64_t>(r));
            if (found == in.encoded_masks.end()) throw std::invalid_argument(where + ": a row without a mask");
            item.encoded_masks[r] = found->second;
            item.masks.push_back(instaug::MaskPlaneView{});  // no data: the encoded mask stands for it
            continue;
        }
        item.masks.push_back(plane_view(*m, where.c_str()));
        if (item.masks.back().width != item.image.cols || item.masks.back().height != item.image.rows)
            throw std::invalid_argument(where + ": masks must have the item image's height and width");
    }
    if (!item.masks.empty() && item.masks.size() != n)
        throw std::invalid_argument(where + ": one mask per object expected");
    if (in.boxes) {
        // One box and no row: an OverlayElements element's placement.
        const size_t count = n == 0 && in.boxes->shape(0) == 1 ? 1 : n;
        if (in.boxes->shape(0) != count || in.boxes->shape(1) != 4)
            throw std::invalid_argument(where + ": boxes must be (N, 4)");
        item.boxes.resize(count);
        if (count) std::memcpy(item.boxes.data(), in.boxes->data(), count * 4 * sizeof(double));
    }
    if (in.keypoints) {
        const auto& offsets = in.keypoint_offsets;
        if (!offsets || offsets->shape(0) != n + 1 || in.keypoints->shape(1) != kKeypointColumns)
            throw std::invalid_argument(where + ": keypoints need (M, 5) values and N + 1 offsets");
        check_offsets(*offsets, n, in.keypoints->shape(0), where);
        const double* points = values_of(*in.keypoints, where + ": keypoints");
        item.keypoints.assign(points, points + in.keypoints->size());
        const int64_t* first = values_of(*offsets, where + ": keypoint offsets");
        item.keypoint_offsets.assign(first, first + n + 1);
    } else {
        item.keypoint_offsets.assign(n + 1, 0);
    }
    return item;
}

// One call's data as Python hands it over, already checked and converted there: the canvas
// size, the image and additional images, plain mask planes, the rows (boxes, masks, keypoints with
// offsets, source ids), free keypoints and the mixing items by metadata key.
struct SampleInput {
    int width = 0, height = 0;
    std::optional<AnyArray> image;
    std::vector<AnyArray> extra_images;
    std::vector<AnyArray> mask_planes;
    std::optional<Rows2D> boxes;
    // One entry per row: the mask plane, or None for a row whose mask is in `encoded_masks`.
    std::optional<std::vector<std::optional<AnyArray>>> row_masks;
    std::map<int64_t, instaug::EncodedMask> encoded_masks;  // by row
    std::optional<Rows2D> row_keypoints;
    std::optional<Ids> keypoint_offsets;
    Ids source_ids;
    std::optional<Rows2D> free_keypoints;
    std::optional<Ids> free_ids;
    std::map<std::string, std::vector<MixItemInput>> metadata;
    std::map<std::string, std::vector<double>> call_numbers;
    std::map<std::string, std::vector<AnyArray>> call_images;
    std::string row_labels;  // JSON array, empty when no transform reads labels
};

// The rows of the sample: boxes, keypoints with offsets and source ids, checked against each other.
void read_rows(const SampleInput& in, instaug::InstanceTable& rows) {
    const size_t n = in.source_ids.shape(0);
    const int64_t* ids = values_of(in.source_ids, "source ids");
    rows.source_ids.assign(ids, ids + n);
    if (in.boxes) {
        if (in.boxes->shape(0) != n || in.boxes->shape(1) != 4) throw std::invalid_argument("boxes must be (N, 4)");
        rows.has_boxes = true;
        rows.boxes.resize(n);
        if (n) std::memcpy(rows.boxes.data(), in.boxes->data(), n * 4 * sizeof(double));
    }
    if (in.row_masks) {
        if (in.row_masks->size() != n) throw std::invalid_argument("one mask per instance expected");
        rows.has_masks = true;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& m = (*in.row_masks)[i];
            if (!m) {
                if (!in.encoded_masks.count(static_cast<int64_t>(i)))
                    throw std::invalid_argument("instances[" + std::to_string(i) + "]: no mask given");
                continue;
            }
            if (m->ndim() != 2 || static_cast<int>(m->shape(0)) != in.height || static_cast<int>(m->shape(1)) != in.width)
                throw std::invalid_argument("instance masks must be (H, W) with the image's H and W");
        }
    }
    if (in.row_keypoints) {
        const auto& offsets = in.keypoint_offsets;
        if (!offsets || offsets->shape(0) != n + 1 || in.row_keypoints->shape(1) != kKeypointColumns)
            throw std::invalid_argument("keypoints need (M, 5) values and N + 1 offsets");
        rows.has_keypoints = true;
        const double* points = values_of(*in.row_keypoints, "instances: keypoints");
        rows.keypoints.assign(points, points + in.row_keypoints->size());
        check_offsets(*offsets, n, in.row_keypoints->shape(0), "instances");
        const int64_t* first = values_of(*offsets, "instances: keypoint offsets");
        rows.keypoint_offsets.assign(first, first + n + 1);
    } else {
        rows.keypoint_offsets.assign(n + 1, 0);
    }
}

// The dtype of the instance masks: the rows' (which must share one), or a mixing item's when the
// call brings no row of its own.
nb::dlpack::dtype instance_mask_dtype(const SampleInput& in) {
    nb::dlpack::dtype dtype = nb::dtype<uint8_t>();
    if (!in.row_masks) return dtype;
    if (!in.row_masks->empty()) {
        // Encoded masks (polygons, RLE) are 0/1 bytes.
        const auto& first = (*in.row_masks)[0];
        dtype = first ? first->dtype() : nb::dtype<uint8_t>();
        for (const auto& m : *in.row_masks)
            if ((m ? m->dtype() : nb::dtype<uint8_t>()) != dtype)
                throw std::invalid_argument("instance masks must share one dtype (polygon and RLE masks are uint8)");
        return dtype;
    }
    for (const auto& [key, list] : in.metadata)
        for (const auto& item : list)
            if (!item.masks.empty()) return item.masks[0] ? item.masks[0]->dtype() : nb::dtype<uint8_t>();
    return dtype;
}

cv::Mat wrap_image(const AnyArray& array, const char* what, int width, int height) {
    cv::Mat image = wrap_plane(array, what);
    if (image.cols != width || image.rows != height)
        throw std::invalid_argument(std::string(what) + " shape differs from the sample shape");
    return image;
}

// Everything is checked here, holding the GIL, so that errors carry Python exceptions.
instaug::Sample sample_from(const SampleInput& in, instaug::Metadata& items, int& mask_type) {
    instaug::Sample sample;
    sample.width = in.width;
    sample.height = in.height;
    if (in.image) sample.image = wrap_image(*in.image, "image", in.width, in.height);
    for (const auto& extra : in.extra_images)
        sample.extra_images.push_back(wrap_image(extra, "an additional image", in.width, in.height));
    for (const auto& plane : in.mask_planes) sample.mask_planes.push_back(wrap_image(plane, "mask", in.width, in.height));
    read_rows(in, sample.rows);
    for (const auto& [key, list] : in.metadata)
        for (std::size_t i = 0; i < list.size(); ++i)
            items[key].push_back(make_item(list[i], key + "[" + std::to_string(i) + "]"));
    cv_depth_channels(instance_mask_dtype(in), 1, mask_type);
    sample.rows.mask_type = mask_type;
    sample.call_numbers = in.call_numbers;
    for (const auto& [key, list] : in.call_images)
        for (std::size_t i = 0; i < list.size(); ++i)
            sample.call_images[key].push_back(wrap_plane(list[i], (key + "[" + std::to_string(i) + "]").c_str()));
    if (!in.row_labels.empty()) sample.row_labels = instaug::Json::parse(in.row_labels);
    if (in.free_keypoints) {
        const auto& ids = in.free_ids;
        if (!ids || ids->shape(0) != in.free_keypoints->shape(0) || in.free_keypoints->shape(1) != kKeypointColumns)
            throw std::invalid_argument("free keypoints need (M, 5) values and M ids");
        const double* points = values_of(*in.free_keypoints, "keypoints");
        sample.free_keypoints.points.assign(points, points + in.free_keypoints->size());
        const int64_t* first = values_of(*ids, "keypoint ids");
        sample.free_keypoints.source_ids.assign(first, first + ids->shape(0));
    }
    return sample;
}

// An output image in the dtype it has now (ToFloat, Normalize and FromFloat change it); a channel
// axis when the result has several channels, or when the caller's had one of size 1.
nb::object image_to_numpy(const cv::Mat& image, const AnyArray& given) {
    const nb::dlpack::dtype dtype = image.depth() == CV_32F  ? nb::dtype<float>()
                                    : image.depth() == CV_8U ? nb::dtype<uint8_t>()
                                                             : given.dtype();
    const bool channel_axis = image.channels() > 1 || (given.ndim() == 3 && given.shape(2) == 1);
    return plane_to_numpy(image, dtype, channel_axis);
}

// How the rows' masks leave the core (Compose's mask_output).
enum class MaskOutput { PerRow = 0, Stacked = 1, IndexMap = 2, CocoRle = 3 };

// The rows' masks in the asked form, made from the tiles with the GIL released.
struct MaskResult {
    MaskOutput form = MaskOutput::PerRow;
    int ratio = 1;
    std::optional<instaug::OutputMaskPlanes> planes;
    std::optional<instaug::StackedMasks> stacked;
    cv::Mat index_map;
    std::vector<std::string> rles;
};

MaskResult masks_out(const instaug::Sample& sample, MaskOutput form, int ratio, int mask_type) {
    MaskResult out;
    out.form = form;
    out.ratio = ratio;
    const auto& tiles = sample.rows.masks;
    const int width = sample.width, height = sample.height;
    switch (form) {
        case MaskOutput::PerRow: out.planes.emplace(tiles, width, height, CV_ELEM_SIZE(mask_type)); break;
        case MaskOutput::Stacked: out.stacked = instaug::stack_masks(tiles, width, height, CV_ELEM_SIZE(mask_type), ratio); break;
        case MaskOutput::IndexMap: out.index_map = instaug::overlap_index_map(tiles, width, height, ratio); break;
        case MaskOutput::CocoRle:
            for (const auto& tile : tiles)
                out.rles.push_back(instaug::rle_counts_to_string(instaug::rle_counts_of_tile(tile, width, height)));
            break;
    }
    return out;
}

// out["masks"] (per row), out["stacked_masks"], out["index_map"] or out["rles"] (bytes per row).
void masks_to_python(nb::dict& out, MaskResult& masks, const instaug::Sample& sample, nb::dlpack::dtype mask_dtype) {
    switch (masks.form) {
        case MaskOutput::PerRow: out["masks"] = planes_to_numpy(*masks.planes, sample.width, sample.height, mask_dtype); break;
        case MaskOutput::Stacked: {
            auto& s = *masks.stacked;
            auto* holder = new std::shared_ptr<void>(std::move(s.owner));
            const std::vector<size_t> shape{static_cast<size_t>(s.count), static_cast<size_t>(s.height),
                                            static_cast<size_t>(s.width)};
            // Below full resolution the masks are 0/1 bytes whatever their dtype was.
            out["stacked_masks"] = owned_array(holder, s.data, shape, masks.ratio == 1 ? mask_dtype : nb::dtype<uint8_t>());
            break;
        }
        case MaskOutput::IndexMap: {
            const bool narrow = masks.index_map.depth() == CV_8U;
            out["index_map"] = plane_to_numpy(masks.index_map, narrow ? nb::dtype<uint8_t>() : nb::dtype<int32_t>(), false);
            break;
        }
        case MaskOutput::CocoRle: {
            nb::list rles;
            for (const auto& r : masks.rles) rles.append(nb::bytes(r.data(), r.size()));
            out["rles"] = rles;
            break;
        }
    }
}

// (N, K) float32 / float64 rows as a cv::Mat header (no copy where aligned), and back as a new array.
cv::Mat rows_view(const nb::ndarray<nb::ro, nb::ndim<2>, nb::c_contig, nb::device::cpu>& a, const char* what) {
    const auto dt = a.dtype();
    if (dt != nb::dtype<float>() && dt != nb::dtype<double>())
        throw std::invalid_argument(std::string(what) + " must be float32 or float64 rows");
    const cv::Mat view(static_cast<int>(a.shape(0)), static_cast<int>(a.shape(1)),
                       dt == nb::dtype<float>() ? CV_32F : CV_64F, const_cast<void*>(a.data()));
    if (reinterpret_cast<std::uintptr_t>(a.data()) % a.itemsize() == 0) return view;
    // At an odd byte offset (a view into a byte buffer): read through typed pointers only once copied.
    cv::Mat copy(view.size(), view.type());
    if (!view.empty()) std::memcpy(copy.data, a.data(), view.total() * view.elemSize());
    return copy;
}

nb::object rows_array(const cv::Mat& m) {
    const bool single = m.depth() == CV_32F;
    return plane_to_numpy(m, single ? nb::dtype<float>() : nb::dtype<double>(), false);
}

nb::dict result_to_python(instaug::Sample& sample, const SampleInput& in) {
    nb::dict out;
    out["width"] = sample.width;
    out["height"] = sample.height;
    out["image"] = in.image ? image_to_numpy(sample.image, *in.image) : nb::none();
    nb::list extras;
    for (size_t i = 0; i < sample.extra_images.size(); ++i)
        extras.append(image_to_numpy(sample.extra_images[i], in.extra_images[i]));
    out["extra_images"] = extras;
    nb::list mask_planes;
    for (size_t i = 0; i < sample.mask_planes.size(); ++i)
        mask_planes.append(plane_to_numpy(sample.mask_planes[i], in.mask_planes[i].dtype(), in.mask_planes[i].ndim() == 3));
    out["mask_planes"] = mask_planes;
    instaug::InstanceTable& rows = sample.rows;
    const size_t kept = rows.size();
    out["source_ids"] = vector_to_numpy(std::move(rows.source_ids), {kept});
    if (rows.has_boxes) {
        std::vector<double> flat(kept * 4);
        for (size_t i = 0; i < kept; ++i) std::memcpy(&flat[i * 4], rows.boxes[i].data(), 4 * sizeof(double));
        out["boxes"] = vector_to_numpy(std::move(flat), {kept, 4});
    }
    if (rows.has_keypoints) {
        const size_t m = rows.keypoints.size() / kKeypointColumns;
        out["keypoints"] = vector_to_numpy(std::move(rows.keypoints), {m, static_cast<size_t>(kKeypointColumns)});
        out["keypoint_offsets"] = vector_to_numpy(std::move(rows.keypoint_offsets), {kept + 1});
    }
    if (in.free_keypoints) {
        const size_t m = sample.free_keypoints.size();
        out["free_keypoints"] =
            vector_to_numpy(std::move(sample.free_keypoints.points), {m, static_cast<size_t>(kKeypointColumns)});
        out["free_ids"] = vector_to_numpy(std::move(sample.free_keypoints.source_ids), {m});
    }
    nb::list applied;
    for (int t : sample.applied_transforms) applied.append(t);
    out["applied"] = applied;
    if (sample.collect_notes) {
        nb::list notes;
        for (const auto& n : sample.applied_notes) notes.append(to_python(n));
        out["notes"] = notes;
    }
    return out;
}

// The rows' masks before the first transform: views of the caller's planes (cut into tiles when a
// transform first needs them) and the tiles of encoded masks.
void take_row_masks(const SampleInput& in, instaug::Sample& sample) {
    if (!in.row_masks) return;
    sample.rows.masks.resize(in.row_masks->size());
    for (std::size_t i = 0; i < in.row_masks->size(); ++i) {
        const auto& m = (*in.row_masks)[i];
        if (m) {
            sample.unresolved_masks.push_back(plane_view(*m, "instances"));
            continue;
        }
        const std::string where = "instances[" + std::to_string(i) + "]['mask']";
        sample.rows.masks[i] = in.encoded_masks.at(static_cast<int64_t>(i)).tile(in.width, in.height, where);
        instaug::MaskPlaneView given;
        given.width = in.width;
        given.height = in.height;
        sample.unresolved_masks.push_back(given);
    }
}

nb::dict run_pipeline(const instaug::Pipeline& pipeline, uint64_t seed, uint64_t call_index, bool force_apply,
                      const SampleInput& in, bool collect_notes, int mask_output, int mask_ratio, bool geometry) {
    if (mask_output < 0 || mask_output > 3) throw std::invalid_argument("mask_output must be 0 to 3");
    if (mask_ratio < 1) throw std::invalid_argument("mask_output_ratio must be a positive integer");
    instaug::Metadata items;
    int mask_type = CV_8UC1;
    instaug::Sample sample = sample_from(in, items, mask_type);
    sample.collect_notes = collect_notes;
    // The masks' output form is made once, at the end, from the tiles.
    MaskResult masks;
    {
        nb::gil_scoped_release release;
        take_row_masks(in, sample);
        pipeline.run(sample, seed, call_index, items, force_apply);
        if (sample.rows.has_masks) masks = masks_out(sample, static_cast<MaskOutput>(mask_output), mask_ratio, mask_type);
    }
    nb::dict out = result_to_python(sample, in);
    if (geometry) out["geometry"] = instaug::geometry_of(sample);
    if (!sample.rows.has_masks) return out;
    masks_to_python(out, masks, sample, instance_mask_dtype(in));
    return out;
}

// ---- External transforms: a user's Python transform sees the sample as NumPy arrays ----------

nb::dlpack::dtype dtype_of(int cv_type, const char* what) {
    switch (CV_MAT_DEPTH(cv_type)) {
        case CV_8U:
            if (CV_MAT_CN(cv_type) % 8 == 0 && std::string(what) != "image")
                throw std::invalid_argument(std::string("Python transforms take masks of 8 to 32-bit elements; ") +
                                            what + " holds 64-bit ones");
            return nb::dtype<uint8_t>();
        case CV_8S: return nb::dtype<int8_t>();
        case CV_16U: return nb::dtype<uint16_t>();
        case CV_16S: return nb::dtype<int16_t>();
        case CV_32S: return nb::dtype<int32_t>();
        case CV_32F: return nb::dtype<float>();
        case CV_64F: return nb::dtype<double>();
        default: throw std::invalid_argument(std::string("unsupported element type in ") + what);
    }
}

nb::object copy_to_numpy(const cv::Mat& m, const char* what, bool channel_axis) {
    return plane_to_numpy(m.clone(), dtype_of(m.type(), what), channel_axis);
}

template <class T>
nb::object values_to_numpy(const std::vector<T>& v, std::vector<size_t> shape) {
    return vector_to_numpy(std::vector<T>(v), std::move(shape));
}

nb::dict sample_to_python(const instaug::Sample& sample) {
    const instaug::InstanceTable& rows = sample.rows;
    nb::dict out;
    out["width"] = sample.width;
    out["height"] = sample.height;
    out["image"] = sample.image.empty() ? nb::none() : copy_to_numpy(sample.image, "image", true);
    nb::list planes;
    for (const cv::Mat& plane : sample.mask_planes) planes.append(copy_to_numpy(plane, "mask", plane.channels() > 1));
    out["mask_planes"] = planes;
    const size_t n = rows.size();
    out["boxes"] = nb::none();
    if (rows.has_boxes) {
        std::vector<double> flat(n * 4);
        for (size_t i = 0; i < n; ++i) std::memcpy(&flat[i * 4], rows.boxes[i].data(), 4 * sizeof(double));
        out["boxes"] = vector_to_numpy(std::move(flat), {n, 4});
    }
    out["masks"] = nb::none();
    if (rows.has_masks) {
        const nb::dlpack::dtype dt = dtype_of(rows.mask_type, "the instance masks");
        nb::list masks;
        for (const auto& tile : rows.masks) {
            cv::Mat plane = cv::Mat::zeros(sample.height, sample.width, rows.mask_type);
            instaug::write_tile_to_plane(tile, plane.data, sample.width, sample.height, plane.elemSize(), true);
            masks.append(plane_to_numpy(plane, dt, false));
        }
        out["masks"] = masks;
    }
    out["keypoints"] = nb::none();
    if (rows.has_keypoints) {
        out["keypoints"] = values_to_numpy(rows.keypoints, {rows.keypoints.size() / kKeypointColumns, kKeypointColumns});
        out["keypoint_offsets"] = values_to_numpy(rows.keypoint_offsets, {n + 1});
    }
    const size_t free = sample.free_keypoints.size();
    out["free_keypoints"] = values_to_numpy(sample.free_keypoints.points, {free, kKeypointColumns});
    return out;
}

// (count, columns) float64 values from the transform, where the sample had them.
std::vector<double> read_values(const nb::dict& from, const char* key, size_t count, size_t columns) {
    const auto values = nb::cast<nb::ndarray<const double, nb::ndim<2>, nb::c_contig>>(from[key]);
    if (values.shape(0) != count || values.shape(1) != columns)
        throw std::invalid_argument(std::string("a Python transform must return ") + key + " as (" +
                                    std::to_string(count) + ", " + std::to_string(columns) + ") values");
    const double* first = values_of(values, std::string("a Python transform's ") + key);
    return std::vector<double>(first, first + count * columns);
}

void sample_from_python(instaug::Sample& sample, const nb::dict& from) {
    if (!sample.image.empty()) {
        sample.image = wrap_plane(nb::cast<AnyArray>(from["image"]), "the image a Python transform returned").clone();
        sample.width = sample.image.cols;
        sample.height = sample.image.rows;
    } else {
        sample.width = nb::cast<int>(from["width"]);
        sample.height = nb::cast<int>(from["height"]);
    }
    auto same_size = [&](const cv::Mat& m, const char* what) {
        if (m.cols != sample.width || m.rows != sample.height)
            throw std::invalid_argument(std::string("a Python transform returned ") + what + " of another size than the image");
        return m;
    };
    const auto planes = nb::cast<std::vector<AnyArray>>(from["mask_planes"]);
    if (planes.size() != sample.mask_planes.size()) throw std::invalid_argument("a Python transform must return every mask");
    for (size_t i = 0; i < planes.size(); ++i) sample.mask_planes[i] = same_size(wrap_plane(planes[i], "mask").clone(), "a mask");
    instaug::InstanceTable& rows = sample.rows;
    const size_t n = rows.size();
    if (rows.has_boxes) {
        const std::vector<double> flat = read_values(from, "boxes", n, 4);
        for (size_t i = 0; i < n; ++i) rows.boxes[i] = {flat[i * 4], flat[i * 4 + 1], flat[i * 4 + 2], flat[i * 4 + 3]};
    }
    if (rows.has_masks) {
        const auto masks = nb::cast<std::vector<AnyArray>>(from["masks"]);
        if (masks.size() != n) throw std::invalid_argument("a Python transform must return one mask per row");
        for (size_t i = 0; i < n; ++i) {
            const instaug::MaskPlaneView view = plane_view(masks[i], "a row mask");
            if (view.width != sample.width || view.height != sample.height)
                throw std::invalid_argument("a Python transform returned a row mask of another size than the image");
            rows.masks[i] = instaug::tile_from_plane(view);
        }
    }
    if (rows.has_keypoints) rows.keypoints = read_values(from, "keypoints", rows.keypoints.size() / kKeypointColumns, kKeypointColumns);
    sample.free_keypoints.points = read_values(from, "free_keypoints", sample.free_keypoints.size(), kKeypointColumns);
}

// The operation of an ExternalTransform: the Python callable, called as fn(sample dict, seed) with
// the GIL held, returns the sample dict changed.
instaug::ExternalOp external_op(nb::object fn) {
    auto callable = std::make_shared<nb::object>(std::move(fn));
    return [callable](instaug::Sample& sample, instaug::Random& rng) {
        const uint64_t seed = rng.next_u64();
        nb::gil_scoped_acquire gil;
        nb::dict payload = sample_to_python(sample);
        nb::object out = (*callable)(payload, seed);
        if (!nb::isinstance<nb::dict>(out)) throw std::invalid_argument("a Python transform must return the sample dict");
        sample_from_python(sample, nb::borrow<nb::dict>(out));
    };
}

template <class Config>
void set_fields(const std::map<std::string, double>& given, const std::map<std::string, std::function<void(Config&, double)>>& fields,
                Config& config, const char* what) {
    for (const auto& [key, value] : given) {
        auto it = fields.find(key);
        if (it == fields.end()) throw std::invalid_argument(std::string(what) + ": unknown setting '" + key + "'");
        it->second(config, value);
    }
}

using BoxField = std::function<void(instaug::BoxConfig&, double)>;
const std::map<std::string, BoxField> kBoxFields = {
        {"min_area", [](auto& c, double v) { c.rules.min_area = v; }},
        {"min_visibility", [](auto& c, double v) { c.rules.min_visibility = v; }},
        {"min_width", [](auto& c, double v) { c.rules.min_width = v; }},
        {"min_height", [](auto& c, double v) { c.rules.min_height = v; }},
        {"max_accept_ratio", [](auto& c, double v) { c.rules.max_accept_ratio = v; }},
        {"clip_after_transform", [](auto& c, double v) { c.rules.clip_after_transform = v != 0; }},
        {"check_each_transform", [](auto& c, double v) { c.check_each_transform = v != 0; }},
        {"bbox_from_mask", [](auto& c, double v) { c.bbox_from_mask = v != 0; }},
        {"filter_invalid_on_input", [](auto& c, double v) { c.filter_invalid_on_input = v != 0; }},
};

instaug::BoxConfig box_config_from(const std::map<std::string, double>& given) {
    instaug::BoxConfig config;
    set_fields(given, kBoxFields, config, "box config");
    return config;
}

using KeypointField = std::function<void(instaug::KeypointConfig&, double)>;
const std::map<std::string, KeypointField> kKeypointFields = {
    {"remove_invisible", [](auto& c, double v) { c.remove_invisible = v != 0; }},
    {"check_each_transform", [](auto& c, double v) { c.check_each_transform = v != 0; }},
};

instaug::KeypointConfig keypoint_config_from(const std::map<std::string, double>& given) {
    instaug::KeypointConfig config;
    set_fields(given, kKeypointFields, config, "keypoint config");
    return config;
}

instaug::Pipeline make_pipeline(const nb::list& transforms, const std::map<std::string, double>& box_cfg,
                                const std::map<std::string, double>& kp_cfg, double p, bool fuse_geometry,
                                const nb::dict& externals) {
    std::vector<instaug::TransformNode> nodes;
    for (std::size_t i = 0; i < transforms.size(); ++i) {
        const std::string where = "transforms[" + std::to_string(i) + "]";
        nodes.push_back(instaug::build_transform(to_json(transforms[i], where), where));
    }
    instaug::Pipeline pipeline(std::move(nodes), box_config_from(box_cfg), keypoint_config_from(kp_cfg), p, fuse_geometry);
    for (auto [key, fn] : externals) pipeline.attach(nb::cast<int64_t>(key), external_op(nb::borrow<nb::object>(fn)));
    return pipeline;
}

}  // namespace

NB_MODULE(_core, m) {
    m.doc() = "instaug C++ core";
    // Pipelines still referenced at exit (a daemon thread's Compose) are not leaks worth a warning:
    // the process is ending and the OS takes the memory back.
    nb::set_leak_warnings(false);
    instaug::use_buffer_cache_for_mats();
    // What is built on first use (the registry, the CPU checks) is built now, on the importing
    // thread: a first use on a worker thread holds a guard that a fork at that moment would leave
    // held in the child for good.
    instaug::Registry::instance();
    instaug::use_avx2_kernel();
    instaug::use_avx512_kernel();
    m.def(
        "set_buffer_cache_limit",
        [](int64_t bytes) {
            if (bytes < 0) throw std::invalid_argument("bytes must be >= 0");
            instaug::BufferCache::instance().set_limit(static_cast<size_t>(bytes));
        },
        "bytes"_a, "Most bytes of unused large buffers kept for reuse (0: none).");
    m.def("get_buffer_cache_limit", [] { return instaug::BufferCache::instance().limit(); });
    m.def("buffer_cache_bytes", [] { return instaug::BufferCache::instance().cached_bytes(); },
          "Bytes of unused large buffers held for reuse now.");
    nb::class_<MixItemInput>(m, "MixItem", "A Mosaic neighbour or CopyAndPaste donor, converted for the core.")
        .def("__init__",
             [](MixItemInput* self, AnyArray image, std::optional<AnyArray> semantic_mask,
                std::vector<std::optional<AnyArray>> masks, std::map<int64_t, instaug::EncodedMask> encoded_masks,
                std::optional<Rows2D> boxes, std::optional<Rows2D> keypoints, std::optional<Ids> keypoint_offsets,
                Ids source_ids, nb::bytes mask_on, double mask_value) {
                 new (self) MixItemInput{std::move(image),
                                         std::move(semantic_mask),
                                         std::move(masks),
                                         std::move(encoded_masks),
                                         std::move(boxes),
                                         std::move(keypoints),
                                         std::move(keypoint_offsets),
                                         std::move(source_ids),
                                         std::string(mask_on.c_str(), mask_on.size()),
                                         mask_value};
             },
             nb::kw_only(), "image"_a, "semantic_mask"_a.none() = nb::none(),
             "masks"_a = std::vector<std::optional<AnyArray>>{},
             "encoded_masks"_a = std::map<int64_t, instaug::EncodedMask>{},
             "boxes"_a.none() = nb::none(), "keypoints"_a.none() = nb::none(), "keypoint_offsets"_a.none() = nb::none(),
             "source_ids"_a, "mask_on"_a = nb::bytes(""),
             "mask_value"_a = std::numeric_limits<double>::quiet_NaN());
    nb::class_<instaug::EncodedMask>(m, "EncodedMask", "A row's mask as COCO RLE or polygons (pixels), converted for the core.")
        .def("__init__",
             [](instaug::EncodedMask* self, nb::bytes rle, std::optional<Ids> counts,
                std::vector<std::vector<double>> polygons, int rle_height, int rle_width) {
                 instaug::EncodedMask mask;
                 mask.rle.assign(rle.c_str(), rle.size());
                 mask.polygons = std::move(polygons);
                 mask.rle_height = rle_height;
                 mask.rle_width = rle_width;
                 mask.has_counts = counts.has_value();
                 const int64_t* run_lengths = counts ? values_of(*counts, "RLE counts") : nullptr;
                 for (std::size_t i = 0; counts && i < counts->shape(0); ++i) {
                     const int64_t c = run_lengths[i];
                     if (c < 0 || c > 0xffffffffLL)
                         throw std::invalid_argument("RLE counts must be run lengths from 0 to 2^32 - 1");
                     mask.counts.push_back(static_cast<uint32_t>(c));
                 }
                 new (self) instaug::EncodedMask(std::move(mask));
             },
             nb::kw_only(), "rle"_a = nb::bytes(""), "counts"_a.none() = nb::none(),
             "polygons"_a = std::vector<std::vector<double>>{}, "rle_height"_a = 0, "rle_width"_a = 0);
    m.def(
        "rle_from_mask",
        [](const AnyArray& mask) {
            const instaug::MaskPlaneView view = plane_view(mask, "mask");
            std::string text;
            {
                nb::gil_scoped_release release;
                const instaug::MaskTile tile = instaug::tile_from_plane(view);
                text = instaug::rle_counts_to_string(instaug::rle_counts_of_tile(tile, view.width, view.height));
            }
            return nb::bytes(text.data(), text.size());
        },
        "mask"_a, "COCO's compressed RLE counts of a (H, W) mask (non-zero: 1), as pycocotools.mask.encode writes them.");
    m.def(
        "mask_of_encoded",
        [](const instaug::EncodedMask& encoded, int height, int width, const std::string& where) {
            if (height < 0 || width < 0) throw std::invalid_argument(where + ": the size must not be negative");
            cv::Mat plane = cv::Mat::zeros(height, width, CV_8UC1);
            {
                nb::gil_scoped_release release;
                const instaug::MaskTile tile = encoded.tile(width, height, where);
                instaug::write_tile_to_plane(tile, plane.data, width, height, 1, true);
            }
            return plane_to_numpy(plane, nb::dtype<uint8_t>(), false);
        },
        "encoded"_a, "height"_a, "width"_a, "where"_a,
        "The (height, width) uint8 0/1 plane of an encoded mask (RLE or polygons in pixels).");
    nb::class_<SampleInput>(m, "SampleInput", "One call's data, converted for the core.")
        .def("__init__",
             [](SampleInput* self, int width, int height, std::optional<AnyArray> image, std::vector<AnyArray> extra_images,
                std::vector<AnyArray> mask_planes, std::optional<Rows2D> boxes,
                std::optional<std::vector<std::optional<AnyArray>>> row_masks,
                std::map<int64_t, instaug::EncodedMask> encoded_masks,
                std::optional<Rows2D> row_keypoints, std::optional<Ids> keypoint_offsets, Ids source_ids,
                std::optional<Rows2D> free_keypoints, std::optional<Ids> free_ids,
                std::map<std::string, std::vector<MixItemInput>> metadata,
                std::map<std::string, std::vector<double>> call_numbers,
                std::map<std::string, std::vector<AnyArray>> call_images, std::string row_labels) {
                 new (self) SampleInput{width, height, std::move(image), std::move(extra_images), std::move(mask_planes),
                                        std::move(boxes), std::move(row_masks), std::move(encoded_masks),
                                        std::move(row_keypoints),
                                        std::move(keypoint_offsets), std::move(source_ids), std::move(free_keypoints),
                                        std::move(free_ids), std::move(metadata), std::move(call_numbers),
                                        std::move(call_images), std::move(row_labels)};
             },
             nb::kw_only(), "width"_a, "height"_a, "image"_a.none() = nb::none(),
             "extra_images"_a = std::vector<AnyArray>{}, "mask_planes"_a = std::vector<AnyArray>{},
             "boxes"_a.none() = nb::none(), "row_masks"_a.none() = nb::none(),
             "encoded_masks"_a = std::map<int64_t, instaug::EncodedMask>{}, "row_keypoints"_a.none() = nb::none(),
             "keypoint_offsets"_a.none() = nb::none(), "source_ids"_a, "free_keypoints"_a.none() = nb::none(),
             "free_ids"_a.none() = nb::none(), "metadata"_a = std::map<std::string, std::vector<MixItemInput>>{},
             "call_numbers"_a = std::map<std::string, std::vector<double>>{},
             "call_images"_a = std::map<std::string, std::vector<AnyArray>>{}, "row_labels"_a = std::string());
    nb::class_<instaug::Pipeline>(m, "Pipeline")
        .def("__init__",
             [](instaug::Pipeline* self, const nb::list& transforms, const std::map<std::string, double>& box_cfg,
                const std::map<std::string, double>& kp_cfg, double p, bool fuse_geometry, const nb::dict& externals) {
                 new (self) instaug::Pipeline(make_pipeline(transforms, box_cfg, kp_cfg, p, fuse_geometry, externals));
             },
             "transforms"_a, "box_config"_a, "keypoint_config"_a, "p"_a, "fuse_geometry"_a = true,
             "externals"_a = nb::dict(),
             "`externals` maps the key of each ExternalTransform to fn(sample: dict, seed: int) -> dict.")
        .def("resamples_masks_smoothly", &instaug::Pipeline::resamples_masks_smoothly)
        .def("leaf_names",
             [](const instaug::Pipeline& p) {
                 std::vector<std::string> names;
                 for (const auto* leaf : p.leaves()) names.push_back(leaf->name());
                 return names;
             },
             "Names of the non-composition transforms, in the order applied_transforms indexes them.")
        .def("run", &run_pipeline, "seed"_a, "call_index"_a, "force_apply"_a, "sample"_a, "collect_notes"_a = false,
             "mask_output"_a = 0, "mask_ratio"_a = 1, "geometry"_a = false,
             "Runs one call; with collect_notes, out['notes'] holds what each applied transform drew. mask_output: "
             "0 per-row planes (out['masks']), 1 one (N, H, W) array (out['stacked_masks']), 2 the overlap index map "
             "(out['index_map']), 3 COCO RLE counts per row (out['rles']); mask_ratio: 1/ratio resolution for 1 and 2; "
             "geometry: out['geometry'], the map back to the input.")
        .def("__len__", &instaug::Pipeline::size);
    m.def(
        "validate_arguments",
        [](const std::string& name, nb::dict arguments) {
            return to_python(instaug::validate_arguments(name, to_json(arguments, name)));
        },
        "name"_a, "arguments"_a,
        "The arguments of transform `name` checked against its schema, in normal form with defaults filled in.");
    m.def("transform_schemas", [] { return to_python(instaug::describe_registry()); },
          "Every registered transform: its name, kind and parameter schema.");
    m.def(
        "read_pipeline_file",
        [](nb::handle file) { return to_python(instaug::read_pipeline_file(to_json(file, "the file"))); }, "file"_a,
        "A pipeline file's content with every transform checked and in normal form (ValueError naming "
        "the place in the file otherwise).");
    m.attr("file_version") = instaug::kFileVersion;
    m.attr("version") = instaug::version();
    m.def(
        "prepare_boxes",
        [](Rows2D given, const std::string& coord_format, int height, int width, bool clip_on_input,
           bool filter_invalid, bool clip_after_transform, const std::string& name) {
            if (given.shape(1) < 4) throw std::invalid_argument(name + " must have shape (N, >= 4)");
            instaug::BoxInputRules rules{instaug::box_format(coord_format), clip_on_input, filter_invalid,
                                         clip_after_transform};
            const auto boxes =
                instaug::prepare_boxes(values_of(given, name), given.shape(0), given.shape(1), rules, height, width, name);
            std::vector<double> flat(boxes.size() * 4);
            for (std::size_t i = 0; i < boxes.size(); ++i) std::memcpy(&flat[i * 4], boxes[i].data(), 4 * sizeof(double));
            return vector_to_numpy(std::move(flat), {boxes.size(), 4});
        },
        "boxes"_a, "coord_format"_a, "height"_a, "width"_a, "clip_on_input"_a, "filter_invalid"_a,
        "clip_after_transform"_a, "name"_a,
        "(N, >= 4) boxes in coord_format as absolute (N, 4) x1, y1, x2, y2, checked as the C++ API checks them.");
    using RowsIn = nb::ndarray<nb::ro, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
    nb::class_<instaug::Geometry>(m, "Geometry",
                                  "Where a result's pixels came from: the forward map from the input image to the "
                                  "output (3x3, pixel centres), both shapes, and the way back.")
        .def_prop_ro("matrix",
                     [](const instaug::Geometry& g) {
                         std::vector<double> values(9);
                         for (int i = 0; i < 9; ++i) values[i] = g.forward().val[i];
                         return vector_to_numpy(std::move(values), {3, 3});
                     })
        .def_prop_ro("input_shape", [](const instaug::Geometry& g) {
            return std::make_tuple(g.input_size().height, g.input_size().width);
        })
        .def_prop_ro("output_shape", [](const instaug::Geometry& g) {
            return std::make_tuple(g.output_size().height, g.output_size().width);
        })
        .def_prop_ro("invertible", &instaug::Geometry::invertible)
        .def_prop_ro("not_invertible_reason", &instaug::Geometry::not_invertible_reason)
        .def("unmap_bboxes",
             [](const instaug::Geometry& g, const RowsIn& boxes, bool clip) {
                 return rows_array(g.unmap_boxes(rows_view(boxes, "bboxes"), clip));
             }, "bboxes"_a, "clip"_a = true,
             "(N, 4) pixel boxes (x_min, y_min, x_max, y_max) on the output, back on the input: the box "
             "around the mapped corners, clipped to the input image when `clip`.")
        .def("map_bboxes",
             [](const instaug::Geometry& g, const RowsIn& boxes, bool clip) {
                 return rows_array(g.map_boxes(rows_view(boxes, "bboxes"), clip));
             }, "bboxes"_a, "clip"_a = true, "(N, 4) pixel boxes on the input, onto the output.")
        .def("unmap_keypoints",
             [](const instaug::Geometry& g, const RowsIn& points) {
                 return rows_array(g.unmap_keypoints(rows_view(points, "keypoints")));
             }, "keypoints"_a, "(M, >= 2) keypoints (x, y first) on the output, back on the input; other columns copied.")
        .def("map_keypoints",
             [](const instaug::Geometry& g, const RowsIn& points) {
                 return rows_array(g.map_keypoints(rows_view(points, "keypoints")));
             }, "keypoints"_a, "(M, >= 2) keypoints on the input, onto the output.")
        .def("unmap_mask",
             [](const instaug::Geometry& g, const AnyArray& mask, int interpolation) {
                 const cv::Mat plane = wrap_plane(mask, "mask");
                 cv::Mat out;
                 {
                     nb::gil_scoped_release release;
                     out = g.unmap_mask(plane, interpolation);
                 }
                 return plane_to_numpy(out, mask.dtype(), mask.ndim() == 3);
             }, "mask"_a, "interpolation"_a = 0,
             "A mask or score map of the output's shape, resampled onto the input's shape (0 where the "
             "output had padding); interpolation 0 nearest, 1 linear.");
    m.def("call_seed", &instaug::Random::mix, "seed"_a, "index"_a,
          "The random seed of call number `index` of the stream `seed`.");
    m.def(
        "set_num_threads",
        [](int n) {
            if (n < 0) throw std::invalid_argument("set_num_threads: n must be >= 0 (0: let kernels choose), got " +
                                                   std::to_string(n));
            cv::setNumThreads(n);
        },
        "n"_a, "Threads for kernels inside one call (OpenCV's pool); 0 lets it choose.");
    m.def("get_num_threads", [] { return cv::getNumThreads(); }, "Threads kernels use inside one call.");
}
