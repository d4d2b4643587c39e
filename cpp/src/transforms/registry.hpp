// The registry: every transform is declared once, in its own file, with its name, kind, parameter
// schema and what it does. The pipeline dispatches on the kind; Python reads the schemas.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/bbox_filter.hpp"
#include "core/geometric_step.hpp"
#include "core/holes.hpp"
#include "core/pixel_drops.hpp"
#include "core/spatial_filter.hpp"
#include "core/mix_item.hpp"
#include "core/random.hpp"
#include "core/sample.hpp"
#include "kernels/table_chain.hpp"
#include "transforms/params.hpp"
#include "transforms/schema.hpp"

namespace instaug {

enum class TransformKind {
    Geometric,    // moves the canvas: becomes geometric steps applied to every target
    Pixel,        // changes the image alone
    Table,        // a pixel transform that is one table per channel on uint8 images (fusable)
    Mixing,       // brings rows from other samples (Mosaic, CopyAndPaste)
    Composition,  // runs other transforms (OneOf, SomeOf, ...)
    Passive,      // nothing to do in the core (NoOp; ToTensorV2, which Python applies to the result)
    External,     // runs outside the core on the whole sample (a user's Python transform)
    Dropout,      // cuts holes: fills them (image; masks with a mask fill), rows under them shrink or die
    Filter,       // one neighbourhood filter on the image, the masks and the rows (Morphological)
};

const char* kind_name(TransformKind kind);

struct TransformNode;
class Execution;

using StepSampler = std::function<std::vector<GeometricStep>(const Params&, Random&, int width, int height)>;
// The steps of a Geometric transform that reads the sample as it stands (its boxes, its masks: the
// box-aware crops); its masks are tiles by then.
using SampleStepSampler = std::function<std::vector<GeometricStep>(const Params&, Random&, const Sample&)>;
using PixelOp = std::function<cv::Mat(const cv::Mat&, const Params&, Random&)>;
// A Pixel transform that also reads the sample: the values of its call (reference images).
using SamplePixelOp = std::function<cv::Mat(const cv::Mat&, const Params&, Random&, const Sample&)>;
using TableSampler = std::function<std::vector<Table8>(const Params&, Random&, int channels,
                                                       const std::function<double()>& grey_mean)>;
using MixOp = std::function<void(Sample&, const Params&, Random&, const std::vector<MixItem>&, const BboxRules&)>;
using CompositionRun = std::function<void(const TransformNode&, Execution&)>;
// Where a Dropout transform cuts, drawn for the sample as it stands (it may read the rows).
using HoleSampler = std::function<Holes(const Params&, Random&, const Sample&)>;
// Holes whose fill reaches only part of them (GuidedCoarseDropout's region).
using MaskedHoleSampler = std::function<MaskedHoles(const Params&, Random&, const Sample&)>;
// A Filter transform's operation, drawn for one call.
using FilterSampler = std::function<SpatialFilter(const Params&, Random&)>;
// PixelDropout's draw: which pixels drop and the values they take, for the sample as it stands.
using DropSampler = std::function<PixelDrops(const Params&, Random&, const Sample&)>;
// What an External transform does to the sample; it draws what it needs from the generator.
using ExternalOp = std::function<void(Sample&, Random&)>;

// What each item under a Mixing transform's metadata_key is, for the readers of a call's data:
// a whole sample (Mosaic's neighbours), one object to paste (CopyAndPaste's donors) or an element
// with its placement (OverlayElements).
enum class MixItemForm { Sample, Donor, Element };

struct TransformDecl {
    std::string name;
    TransformKind kind = TransformKind::Pixel;
    std::vector<ParamDecl> params;  // "p" included
    // Rules between arguments, run once each passed its own check (throws std::invalid_argument).
    std::function<void(const std::string& owner, const Params&)> check;
    StepSampler steps;     // Geometric
    SampleStepSampler sample_steps;  // Geometric, instead of steps when set
    PixelOp pixels;        // Pixel; Table (images other than uint8)
    SamplePixelOp sample_pixels;  // Pixel, instead of pixels when set
    TableSampler tables;   // Table
    MixOp mix;             // Mixing
    MixItemForm mix_items = MixItemForm::Sample;  // Mixing
    // Mixing: the call's own image moves (Mosaic puts it in a cell), so no 3x3 map leads back.
    bool moves_canvas = false;
    CompositionRun run;    // Composition
    HoleSampler holes;     // Dropout: its params hold "fill" and "fill_mask" (both 0 when absent)
    DropSampler pixel_drops;  // Dropout, instead of holes: single pixels drop
    MaskedHoleSampler masked_holes;  // Dropout, instead of holes: holes within a region
    FilterSampler spatial_filter;  // Filter
    // Pixel: the result at a pixel reads its neighbours, so a view into a larger image (a crop) is
    // copied first: the filter must not see outside the canvas.
    bool reads_neighbours = false;
    // False when p is not a coin for the transform as a whole (OneOrOther: p picks the branch).
    bool p_is_a_coin = true;
    // True when the transform may change the image's dtype or channel count.
    std::function<bool(const Params&)> changes_image_format;
};

// A transform as configured: its declaration, validated arguments, probability and children.
struct TransformNode {
    const TransformDecl* decl = nullptr;
    Params params;
    double p = 1.0;
    std::vector<TransformNode> children;
    int leaf_index = -1;  // order among the leaves of the whole pipeline (applied_transforms)
    ExternalOp external;  // External: attached by whoever built the pipeline (Pipeline::attach)

    const std::string& name() const { return decl->name; }
    TransformKind kind() const { return decl->kind; }
};

// A declaration with its name, kind and parameters; the caller adds what the transform does.
TransformDecl declare(std::string name, TransformKind kind, std::vector<ParamDecl> params);

class Registry {
public:
    static const Registry& instance();
    const TransformDecl* find(const std::string& name) const;
    const std::vector<TransformDecl>& all() const { return decls_; }
    void add(TransformDecl decl);

private:
    std::vector<TransformDecl> decls_;
};

// Builds a transform from its description {"__class_fullname__": name, argument: value, ...}, the
// layout of albumentations' files; children of compositions are descriptions too. `where` names
// the place in the pipeline for errors ("transforms[2]").
TransformNode build_transform(const Json& description, const std::string& where = "");

// A description checked as build_transform checks it, returned in normal form: every argument
// present, nested transforms' descriptions in normal form too, the class by its registered name.
Json normalize_description(const Json& description, const std::string& where = "");

// Validates arguments against the named transform's schema; returns them in normal form with every
// default filled in (what Python shows as the transform's attributes).
Json validate_arguments(const std::string& name, const Json& arguments);

// Every schema, as data: [{"name", "kind", "params": [...]}, ...].
Json describe_registry();

}  // namespace instaug
