// The compositions of albumentations: Compose (nested), Sequential, OneOf, SomeOf, RandomOrder,
// OneOrOther and SelectiveChannelTransform. They choose which of their transforms run, with the
// reference's probability rules, and run them through the same Execution: geometry still fuses
// across their boundaries and every draw comes from the call's one random stream.
#include <algorithm>
#include <stdexcept>

#include "core/distinct_indices.hpp"
#include "core/pipeline.hpp"
#include "transforms/registry.hpp"

namespace instaug {
namespace {

constexpr int64_t kMaxDraws = 4096;

TransformDecl composition(const std::string& name, double p, std::vector<ParamDecl> extra = {}) {
    std::vector<ParamDecl> params{transforms_param("transforms").needed()};
    for (auto& e : extra) params.push_back(std::move(e));
    params.push_back(probability_param(p));
    return declare(name, TransformKind::Composition, std::move(params));
}

void run_all(const TransformNode& node, Execution& ex) {
    for (const TransformNode& child : node.children) ex.run(child);
}

// One child, chosen with weights proportional to the children's p, run whatever its own p says.
void run_one_of(const TransformNode& node, Execution& ex) {
    if (node.children.empty()) return;
    double total = 0;
    for (const auto& c : node.children) total += c.p;
    double u = ex.rng().uniform01() * total;
    for (const auto& c : node.children) {
        if (c.p <= 0) continue;
        if (u < c.p || &c == &node.children.back()) return ex.run(c, true);
        u -= c.p;
    }
    // Rounding left u past the last positive weight: the last child with a weight takes it.
    for (auto it = node.children.rbegin(); it != node.children.rend(); ++it)
        if (it->p > 0) return ex.run(*it, true);
}

// n children drawn uniformly (with or without replacement); each rolls its own p. SomeOf runs
// them in list order, RandomOrder in the order drawn.
std::vector<std::size_t> draw_children(const TransformNode& node, Random& rng) {
    const std::size_t count = node.children.size();
    const bool replace = node.params.flag("replace");
    std::size_t n = static_cast<std::size_t>(node.params.integer("n"));
    std::vector<std::size_t> picks;
    if (replace) {
        for (std::size_t i = 0; i < n && count > 0; ++i)
            picks.push_back(static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(count) - 1)));
        return picks;
    }
    return distinct_indices(count, std::min(n, count), rng);
}

void run_drawn(const TransformNode& node, Execution& ex, bool sorted) {
    std::vector<std::size_t> picks = draw_children(node, ex.rng());
    if (sorted) std::sort(picks.begin(), picks.end());
    for (std::size_t i : picks) ex.run(node.children[i]);
}

// p picks the branch: the first with probability p, else the second; the chosen one is forced.
// Given `transforms`, the branches are its first and last (first and second are then ignored).
void run_one_or_other(const TransformNode& node, Execution& ex) {
    const std::size_t given = !node.params.is_none("first") + !node.params.is_none("second");
    const bool from_list = node.children.size() > given;
    const std::size_t first = from_list ? given : 0, last = node.children.size() - 1;
    ex.run(node.children[ex.rng().chance(node.p) ? first : last], true);
}

void check_one_or_other(const std::string& owner, const Params& p) {
    if (!p.at("transforms").empty()) return;
    if (p.is_none("first") || p.is_none("second"))
        throw std::invalid_argument(owner + ": set both first and second, or transforms");
}

void check_some_of(const std::string& owner, const Params& p) {
    if (p.flag("replace") && p.integer("n") > 0 && p.at("transforms").empty())
        throw std::invalid_argument(owner + ": cannot draw " + std::to_string(p.integer("n")) +
                                    " transforms with replacement from an empty list");
}

void check_one_of(const std::string& owner, const Params& p) {
    const Json& children = p.at("transforms");
    if (children.empty()) return;
    for (const Json& c : children)
        if (!c.contains("p") || !c["p"].is_number() || c["p"].get<double>() > 0) return;
    throw std::invalid_argument(owner + ": at least one transform needs p > 0 (p is its weight)");
}

// The children see the image alone (as in the reference): one that moves the canvas would leave
// masks, boxes and keypoints behind, so only pixel transforms are accepted.
void check_pixel_only(const std::string& owner, const Json& descriptions) {
    if (!descriptions.is_array()) return;
    for (const Json& d : descriptions) {
        if (!d.is_object() || !d.contains("__class_fullname__") || !d["__class_fullname__"].is_string()) continue;
        const TransformDecl* decl = Registry::instance().find(d["__class_fullname__"].get<std::string>());
        if (!decl) continue;  // reported by build_transform
        if (decl->kind == TransformKind::Geometric || decl->kind == TransformKind::Mixing)
            throw std::invalid_argument(owner + ": " + decl->name +
                                        " changes the canvas; only pixel transforms may run on selected channels");
        if (d.contains("transforms")) check_pixel_only(owner, d["transforms"]);
        for (const char* branch : {"first", "second"})
            if (d.contains(branch)) check_pixel_only(owner, Json::array({d[branch]}));
    }
}

// What a Compose holds besides its transforms, in the reference's order: the keywords of its files.
// A nested Compose keeps them in its description, but only the outermost one's are used.
std::vector<ParamDecl> compose_params(bool replay) {
    ParamDecl mask_interpolation = interpolation_param("mask_interpolation", 0).or_none();
    mask_interpolation.default_value = nullptr;
    std::vector<ParamDecl> params{transforms_param("transforms").needed(),
                                  mapping_param("bbox_params"),
                                  mapping_param("keypoint_params"),
                                  mapping_param("additional_targets"),
                                  probability_param(1.0),
                                  flag_param("is_check_shapes", true)};
    ParamDecl strict = flag_param("strict", false), seed = integer_param("seed", nullptr);
    ParamDecl save_applied = flag_param("save_applied_params", false), telemetry = flag_param("telemetry", true);
    ParamDecl binding = names_param("instance_binding"), frames = names_param("frame_binding");
    ParamDecl relabel = mapping_param("semantic_mask_label_mappings");
    // ReplayCompose's order differs from Compose's in the reference; each is kept.
    std::vector<ParamDecl> rest =
        replay ? std::vector<ParamDecl>{text_param("save_key", "replay"), seed, binding, frames, relabel, strict,
                                        mask_interpolation, save_applied, telemetry}
               : std::vector<ParamDecl>{strict, mask_interpolation, seed, save_applied, telemetry, binding, frames,
                                        relabel};
    params.insert(params.end(), rest.begin(), rest.end());
    // Ours: the form the instance masks leave in, and how polygons come in (issue 16).
    params.push_back(choice_param("mask_output", "per_row", {"per_row", "stacked", "index_map", "coco_rle"}));
    params.push_back(integer_param("mask_output_ratio", 1).between(1, 64));
    params.push_back(choice_param("polygon_format", "coco", {"coco", "yolo"}));
    // Ours: out["geometry"], the map back to the input image (issue 17).
    params.push_back(flag_param("save_geometry", false));
    return params;
}

// Video frames and semantic label remapping are albumentationsx features we do not have: a file
// that uses them is refused rather than run without them.
void check_compose(const std::string& owner, const Params& p) {
    if (!p.is_none("frame_binding"))
        throw std::invalid_argument(owner + ": frame_binding (video frames) is not supported, got " +
                                    python_repr(p.at("frame_binding")));
    if (!p.is_none("semantic_mask_label_mappings"))
        throw std::invalid_argument(owner + ": semantic_mask_label_mappings is not supported, got " +
                                    python_repr(p.at("semantic_mask_label_mappings")));
}

void run_selected_channels(const TransformNode& node, Execution& ex) {
    std::vector<int> channels;
    for (double c : node.params.numbers("channels")) channels.push_back(static_cast<int>(c));
    ex.on_channels(channels, [&] { run_all(node, ex); });
}

}  // namespace

void register_compositions(Registry& r) {
    for (const bool replay : {false, true}) {
        TransformDecl compose = declare(replay ? "ReplayCompose" : "Compose", TransformKind::Composition,
                                        compose_params(replay));
        compose.check = check_compose;
        compose.run = run_all;
        r.add(std::move(compose));
    }
    TransformDecl sequential = composition("Sequential", 0.5);
    sequential.run = run_all;
    r.add(std::move(sequential));
    TransformDecl one_of = composition("OneOf", 0.5);
    one_of.check = check_one_of;
    one_of.run = run_one_of;
    r.add(std::move(one_of));
    for (const bool sorted : {true, false}) {
        TransformDecl d = composition(sorted ? "SomeOf" : "RandomOrder", 1.0,
                                      // n draws, each a transform to run: bounded, as every size is.
                                      {integer_param("n", 1).between(0, kMaxDraws), flag_param("replace", false)});
        d.check = check_some_of;
        d.run = [sorted](const TransformNode& node, Execution& ex) { run_drawn(node, ex, sorted); };
        r.add(std::move(d));
    }
    TransformDecl one_or_other;
    one_or_other.name = "OneOrOther";
    one_or_other.kind = TransformKind::Composition;
    ParamDecl branches = transforms_param("transforms");
    branches.default_value = nullptr;
    branches.nullable = true;
    one_or_other.params = {transform_param("first"), transform_param("second"), branches, probability_param(0.5)};
    one_or_other.p_is_a_coin = false;
    one_or_other.check = check_one_or_other;
    one_or_other.run = run_one_or_other;
    r.add(std::move(one_or_other));
    TransformDecl selective = composition("SelectiveChannelTransform", 1.0,
                                          {integers_param("channels", Json::array({0, 1, 2})).between(0, 511)});
    selective.check = [](const std::string& owner, const Params& p) { check_pixel_only(owner, p.at("transforms")); };
    selective.run = run_selected_channels;
    r.add(std::move(selective));
}

void register_passive(Registry& r) {
    // A transform run outside the core: `key` names the operation the pipeline's builder attaches.
    TransformDecl external;
    external.name = "ExternalTransform";
    external.kind = TransformKind::External;
    external.params = {integer_param("key", nullptr).needed().between(0, std::nullopt), probability_param(0.5)};
    r.add(std::move(external));
    TransformDecl noop;
    noop.name = "NoOp";
    noop.kind = TransformKind::Passive;
    noop.params = {probability_param(0.5)};
    r.add(std::move(noop));
    TransformDecl to_tensor;
    to_tensor.name = "ToTensorV2";
    to_tensor.kind = TransformKind::Passive;
    to_tensor.params = {flag_param("transpose_mask", false), probability_param(1.0)};
    r.add(std::move(to_tensor));
}

}  // namespace instaug
