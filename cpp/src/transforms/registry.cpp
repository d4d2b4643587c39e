#include "transforms/registry.hpp"

#include <stdexcept>

namespace instaug {

// One line per transform file: each defines its register function next to the transform.
void register_flips(Registry&);
void register_symmetries(Registry&);
void register_crops(Registry&);
void register_resizes(Registry&);
void register_random_scale(Registry&);
void register_pad_if_needed(Registry&);
void register_pad(Registry&);
void register_crop_and_pad(Registry&);
void register_random_crop_from_borders(Registry&);
void register_random_crop_near_bbox(Registry&);
void register_constrained_coarse_dropout(Registry&);
void register_guided_coarse_dropout(Registry&);
void register_mask_dropout(Registry&);
void register_bbox_safe_crops(Registry&);
void register_crop_non_empty_mask(Registry&);
void register_affine(Registry&);
void register_shift_scale_rotate(Registry&);
void register_rotate(Registry&);
void register_safe_rotate(Registry&);
void register_letter_box(Registry&);
void register_random_grid_shuffle(Registry&);
void register_morphological(Registry&);
void register_distortions(Registry&);
void register_grid_elastic_deform(Registry&);
void register_perspective(Registry&);
void register_colour(Registry&);
void register_colour_tables(Registry&);
void register_tone_tables(Registry&);
void register_convolution_filters(Registry&);
void register_compression(Registry&);
void register_type_conversions(Registry&);
void register_grey_and_channels(Registry&);
void register_clahe(Registry&);
void register_normalize(Registry&);
void register_blur(Registry&);
void register_blur_effects(Registry&);
void register_noise(Registry&);
void register_weather(Registry&);
void register_colour_effects(Registry&);
void register_coarse_dropout(Registry&);
void register_grid_dropout(Registry&);
void register_xy_masking(Registry&);
void register_grid_mask(Registry&);
void register_pixel_dropout(Registry&);
void register_mosaic(Registry&);
void register_copy_paste(Registry&);
void register_overlay_elements(Registry&);
void register_compositions(Registry&);
void register_passive(Registry&);
void register_filters(Registry&);
void register_superpixels(Registry&);
void register_dithering(Registry&);
void register_noise_fields(Registry&);
void register_medical(Registry&);
void register_colour_tone(Registry&);
void register_lighting(Registry&);
void register_plasma(Registry&);
void register_domain_adaptation(Registry&);
void register_weather_light(Registry&);
void register_weather_precipitation(Registry&);
void register_annotation_artifacts(Registry&);

const char* kind_name(TransformKind kind) {
    switch (kind) {
        case TransformKind::Geometric: return "geometric";
        case TransformKind::Pixel: return "pixel";
        case TransformKind::Table: return "table";
        case TransformKind::Mixing: return "mixing";
        case TransformKind::Composition: return "composition";
        case TransformKind::Passive: return "passive";
        case TransformKind::External: return "external";
        case TransformKind::Dropout: return "dropout";
        case TransformKind::Filter: return "filter";
    }
    return "?";
}

TransformDecl declare(std::string name, TransformKind kind, std::vector<ParamDecl> params) {
    TransformDecl d;
    d.name = std::move(name);
    d.kind = kind;
    d.params = std::move(params);
    return d;
}

const Registry& Registry::instance() {
    static const Registry registry = [] {
        Registry r;
        for (auto add : {register_flips, register_symmetries, register_crops, register_resizes, register_random_scale, register_pad_if_needed, register_pad, register_crop_and_pad, register_random_crop_from_borders, register_random_crop_near_bbox, register_bbox_safe_crops, register_crop_non_empty_mask, register_affine, register_shift_scale_rotate,
                         register_rotate, register_safe_rotate, register_letter_box, register_random_grid_shuffle, register_morphological, register_perspective, register_distortions, register_grid_elastic_deform, register_colour, register_colour_tables, register_tone_tables,
                         register_convolution_filters, register_compression, register_type_conversions,
                         register_grey_and_channels, register_clahe,
                         register_normalize, register_blur, register_blur_effects, register_noise, register_weather, register_colour_effects, register_coarse_dropout, register_constrained_coarse_dropout, register_guided_coarse_dropout, register_mask_dropout,
                         register_grid_dropout, register_xy_masking, register_grid_mask, register_pixel_dropout, register_mosaic, register_copy_paste, register_overlay_elements,
                         register_compositions, register_passive, register_filters, register_superpixels, register_dithering,
                         register_noise_fields, register_medical, register_colour_tone, register_lighting, register_plasma,
                         register_weather_light, register_weather_precipitation, register_domain_adaptation,
                         register_annotation_artifacts})
            add(r);
        return r;
    }();
    return registry;
}

const TransformDecl* Registry::find(const std::string& name) const {
    for (const auto& d : decls_)
        if (d.name == name) return &d;
    return nullptr;
}

void Registry::add(TransformDecl decl) {
    if (find(decl.name)) throw std::logic_error("transform '" + decl.name + "' registered twice");
    decls_.push_back(std::move(decl));
}

namespace {

const TransformDecl& decl_named(const std::string& name, const std::string& where) {
    // Files may name a class by its module path (albumentations.augmentations.HorizontalFlip), as
    // the reference shortens them; another module's class of the same name is not ours.
    const bool ours = name.rfind("albumentations.", 0) == 0 || name.rfind("instaug.", 0) == 0;
    const std::string short_name = ours ? name.substr(name.rfind('.') + 1) : name;
    const TransformDecl* decl = Registry::instance().find(short_name);
    if (!decl)
        throw std::invalid_argument((where.empty() ? "" : where + ": ") + "unknown transform '" + name +
                                    "' (__class_fullname__): instaug has no such transform");
    return *decl;
}

Json validate_for(const TransformDecl& decl, const Json& arguments) {
    if (!arguments.is_object()) throw std::invalid_argument(decl.name + ": arguments must be a dict");
    for (const auto& [key, _] : arguments.items()) {
        if (key == "__class_fullname__") continue;
        bool known = false;
        for (const auto& p : decl.params) known = known || p.name == key;
        if (!known) throw std::invalid_argument(decl.name + ": unknown argument '" + key + "'");
    }
    Json out = Json::object();
    for (const auto& p : decl.params) {
        auto it = arguments.find(p.name);
        if (it == arguments.end() && p.required)
            throw std::invalid_argument(decl.name + ": missing required argument '" + p.name + "'");
        out[p.name] = normalize_param(decl.name, p, it == arguments.end() ? p.default_value : *it);
    }
    if (decl.check) decl.check(decl.name, Params(out));
    return out;
}

}  // namespace

Json validate_arguments(const std::string& name, const Json& arguments) {
    return validate_for(decl_named(name, ""), arguments);
}

namespace {

std::string prefixed(const std::string& where, const std::string& message) {
    return where.empty() ? message : where + ": " + message;
}

const TransformDecl& decl_of(const Json& description, const std::string& where) {
    if (!description.is_object() || !description.contains("__class_fullname__") ||
        !description["__class_fullname__"].is_string())
        throw std::invalid_argument(prefixed(where, "a transform is a dict with its name under '__class_fullname__'"));
    return decl_named(description["__class_fullname__"].get<std::string>(), where);
}

Json validated_at(const TransformDecl& decl, const Json& description, const std::string& where) {
    try {
        return validate_for(decl, description);
    } catch (const std::invalid_argument& e) {
        if (where.empty()) throw;
        throw std::invalid_argument(where + ": " + e.what());
    }
}

// Calls `visit(child, where)` for every transform among the arguments (a composition's children).
template <typename Visit>
void for_each_child(const TransformDecl& decl, const Json& arguments, const std::string& where, Visit visit) {
    for (const auto& p : decl.params) {
        const Json& value = arguments.at(p.name);
        const std::string inner = (where.empty() ? "" : where + ".") + p.name;
        if (p.type == ParamType::Transform && !value.is_null()) visit(value, inner, p.name, -1);
        if (p.type == ParamType::Transforms)
            for (std::size_t i = 0; i < value.size(); ++i)
                visit(value[i], inner + "[" + std::to_string(i) + "]", p.name, static_cast<int>(i));
    }
}

}  // namespace

TransformNode build_transform(const Json& description, const std::string& where) {
    const TransformDecl& decl = decl_of(description, where);
    TransformNode node;
    node.decl = &decl;
    node.params = Params(validated_at(decl, description, where));
    node.p = node.params.number("p");
    for_each_child(decl, node.params.json(), where, [&](const Json& child, const std::string& inner, const std::string&, int) {
        node.children.push_back(build_transform(child, inner));
    });
    return node;
}

Json normalize_description(const Json& description, const std::string& where) {
    const TransformDecl& decl = decl_of(description, where);
    Json out = validated_at(decl, description, where);
    const Json arguments = out;
    for_each_child(decl, arguments, where, [&](const Json& child, const std::string& inner, const std::string& name, int i) {
        Json normal = normalize_description(child, inner);
        if (i < 0) out[name] = std::move(normal);
        else out[name][static_cast<std::size_t>(i)] = std::move(normal);
    });
    Json named{{"__class_fullname__", decl.name}};
    named.update(out);
    return named;
}

Json describe_registry() {
    Json out = Json::array();
    for (const auto& d : Registry::instance().all()) {
        Json params = Json::array();
        for (const auto& p : d.params) params.push_back(describe_param(p));
        out.push_back({{"name", d.name}, {"kind", kind_name(d.kind)}, {"params", params}});
    }
    return out;
}

}  // namespace instaug
