#include "api/compose_config.hpp"

#include <functional>
#include <set>
#include <stdexcept>

#include "transforms/registry.hpp"

namespace instaug {
namespace {

bool is_number(const Json& v) { return v.is_number(); }

double number_at_least(const Json& given, const char* owner, const char* name, double minimum) {
    if (!is_number(given))
        throw std::invalid_argument(std::string(owner) + ": " + name + " must be a number, got " + python_repr(given));
    const double value = given.get<double>();
    if (value < minimum)
        throw std::invalid_argument(std::string(owner) + ": " + name + " must be >= " + python_repr(Json(minimum)) +
                                    ", got " + python_repr(given));
    return value;
}

bool flag(const Json& given, const char* owner, const char* name) {
    if (!given.is_boolean())
        throw std::invalid_argument(std::string(owner) + ": " + name + " must be True or False, got " +
                                    python_repr(given));
    return given.get<bool>();
}

// The arguments of BboxParams / KeypointParams present in `given`, each with its default, in the
// facade's order; an unknown key is refused.
Json with_defaults(const Json& given, const Json& defaults, const char* owner) {
    if (!given.is_object())
        throw std::invalid_argument(std::string(owner) + " must be a dict of its arguments, got " + python_repr(given));
    Json out = defaults;
    for (const auto& [key, value] : given.items()) {
        if (!defaults.contains(key))
            throw std::invalid_argument(std::string(owner) + ": unknown argument '" + key + "'");
        out[key] = value;
    }
    if (out["coord_format"].is_null())
        throw std::invalid_argument(std::string(owner) + ": coord_format is required");
    if (!out["coord_format"].is_string())
        throw std::invalid_argument(std::string(owner) + ": coord_format must be a string, got " +
                                    python_repr(out["coord_format"]));
    return out;
}

BoxParams read_box_params(const Json& given) {
    const char* owner = "BboxParams";
    const Json p = with_defaults(given,
                                 {{"coord_format", nullptr}, {"label_fields", nullptr}, {"bbox_type", "hbb"},
                                  {"min_area", 0.0}, {"min_visibility", 0.0}, {"min_width", 0.0},
                                  {"min_height", 0.0}, {"max_accept_ratio", nullptr},
                                  {"check_each_transform", true}, {"clip_bboxes_on_input", false},
                                  {"clip_after_transform", true}, {"filter_invalid_bboxes", false},
                                  {"bbox_from_mask", false}},
                                 owner);
    BoxParams out;
    out.input.format = box_format(p["coord_format"].get<std::string>());
    if (p["bbox_type"] != "hbb")
        throw std::invalid_argument("BboxParams: bbox_type must be 'hbb' (oriented boxes are not supported), got " +
                                    python_repr(p["bbox_type"]));
    BboxRules& rules = out.core.rules;
    rules.min_area = number_at_least(p["min_area"], owner, "min_area", 0);
    rules.min_visibility = number_at_least(p["min_visibility"], owner, "min_visibility", 0);
    if (rules.min_visibility > 1)
        throw std::invalid_argument("BboxParams: min_visibility must be in [0, 1], got " + python_repr(p["min_visibility"]));
    rules.min_width = number_at_least(p["min_width"], owner, "min_width", 0);
    rules.min_height = number_at_least(p["min_height"], owner, "min_height", 0);
    rules.max_accept_ratio =
        p["max_accept_ratio"].is_null() ? -1.0 : number_at_least(p["max_accept_ratio"], owner, "max_accept_ratio", 1.0);
    out.core.check_each_transform = flag(p["check_each_transform"], owner, "check_each_transform");
    out.input.clip_on_input = flag(p["clip_bboxes_on_input"], owner, "clip_bboxes_on_input");
    out.input.clip_after_transform = flag(p["clip_after_transform"], owner, "clip_after_transform");
    rules.clip_after_transform = out.input.clip_after_transform;
    out.input.filter_invalid = flag(p["filter_invalid_bboxes"], owner, "filter_invalid_bboxes");
    out.core.filter_invalid_on_input = out.input.filter_invalid;
    out.core.bbox_from_mask = flag(p["bbox_from_mask"], owner, "bbox_from_mask");
    return out;
}

KeypointParams read_keypoint_params(const Json& given, bool bound) {
    const char* owner = "KeypointParams";
    const Json p = with_defaults(given,
                                 {{"coord_format", nullptr}, {"label_fields", nullptr}, {"remove_invisible", true},
                                  {"angle_in_degrees", true}, {"check_each_transform", true},
                                  {"label_mapping", nullptr}},
                                 owner);
    KeypointParams out;
    out.format = keypoint_format(p["coord_format"].get<std::string>());
    out.core.remove_invisible = flag(p["remove_invisible"], owner, "remove_invisible");
    out.angle_in_degrees = flag(p["angle_in_degrees"], owner, "angle_in_degrees");
    out.core.check_each_transform = flag(p["check_each_transform"], owner, "check_each_transform");
    if (bound) {  // keypoints bound to rows live and die with their row
        out.core.remove_invisible = false;
        out.core.check_each_transform = false;
    }
    return out;
}

// Compose(mask_interpolation=...): every transform that resamples masks uses it.
void set_mask_interpolation(Json& description, const Json& flag) {
    if (description.is_array()) {
        for (Json& child : description) set_mask_interpolation(child, flag);
        return;
    }
    if (!description.is_object()) return;
    if (description.contains("mask_interpolation")) description["mask_interpolation"] = flag;
    for (auto& [key, value] : description.items())
        if (value.is_object() ? value.contains("__class_fullname__") : value.is_array()) set_mask_interpolation(value, flag);
}

void collect_metadata_keys(const TransformNode& node, std::map<std::string, MixItemForm>& keys) {
    if (node.kind() == TransformKind::Mixing) {
        const std::string& key = node.params.text("metadata_key");
        const auto found = keys.find(key);
        if (found != keys.end() && found->second != node.decl->mix_items)
            throw std::invalid_argument("metadata_key '" + key +
                                        "' is read by two kinds of mixing transform; give each its own key");
        keys[key] = node.decl->mix_items;
    }
    for (const TransformNode& child : node.children) collect_metadata_keys(child, keys);
}

const std::set<std::string> kAdditionalKinds{"image", "mask"};

}  // namespace

ComposeConfig read_compose(const Json& given) {
    const std::string name = given.value("__class_fullname__", "");
    Json compose = name == "Compose" || name == "ReplayCompose"
                       ? given
                       : normalize_description({{"__class_fullname__", "Compose"}, {"transforms", Json::array({given})}},
                                               "transform");
    ComposeConfig out;
    Json binding = compose.value("instance_binding", Json());
    bool bound_keypoints = false;
    for (const Json& target : binding.is_array() ? binding : Json::array())
        bound_keypoints = bound_keypoints || target == "keypoints";
    if (!compose["bbox_params"].is_null()) out.boxes = read_box_params(compose["bbox_params"]);
    if (!compose["keypoint_params"].is_null())
        out.keypoints = read_keypoint_params(compose["keypoint_params"], bound_keypoints);
    if (!compose["additional_targets"].is_null())
        for (const auto& [key, kind] : compose["additional_targets"].items()) {
            if (!kind.is_string() || !kAdditionalKinds.count(kind.get<std::string>()))
                throw std::invalid_argument("additional_targets['" + key + "'] must be 'image' or 'mask' in C++, got " +
                                            python_repr(kind));
            out.additional[key] = kind == "image";
        }
    if (compose["seed"].is_number_integer()) out.seed = compose["seed"].get<uint64_t>();
    const std::string form = compose["mask_output"].get<std::string>();
    out.mask_output = form == "stacked"     ? MaskOutputForm::Stacked
                      : form == "index_map" ? MaskOutputForm::IndexMap
                      : form == "coco_rle"  ? MaskOutputForm::CocoRle
                                            : MaskOutputForm::PerRow;
    out.mask_ratio = compose["mask_output_ratio"].get<int>();
    Json transforms = compose["transforms"];
    // ToTensorV2 ends a Python pipeline (torch tensors); a C++ caller takes to_planar(result.image).
    for (std::size_t i = 0; i < transforms.size(); ++i)
        if (transforms[i]["__class_fullname__"] == "ToTensorV2" && i + 1 != transforms.size())
            throw std::invalid_argument("transforms[" + std::to_string(i) + "]: ToTensorV2 must be the last transform");
    if (!transforms.empty() && transforms.back()["__class_fullname__"] == "ToTensorV2") transforms.erase(transforms.size() - 1);
    if (!compose["mask_interpolation"].is_null()) set_mask_interpolation(transforms, compose["mask_interpolation"]);
    std::vector<TransformNode> nodes;
    for (std::size_t i = 0; i < transforms.size(); ++i) {
        const std::string where = "transforms[" + std::to_string(i) + "]";
        nodes.push_back(build_transform(transforms[i], where));
        collect_metadata_keys(nodes.back(), out.metadata_keys);
    }
    if (!out.additional.empty() && !out.metadata_keys.empty())
        throw std::invalid_argument("additional_targets do not work with mixing transforms, whose extra images have no twins");
    out.pipeline = std::make_unique<Pipeline>(std::move(nodes), out.boxes ? out.boxes->core : BoxConfig{},
                                              out.keypoints ? out.keypoints->core : KeypointConfig{},
                                              compose["p"].get<double>());
    return out;
}

}  // namespace instaug
