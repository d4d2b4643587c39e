// A transform's parameter schema: each argument's name, type, default, bounds, allowed values and
// unit. Validation turns the caller's arguments (Python keywords, a file's JSON) into Params, with
// the same error messages in every language: "<Transform>: <argument> must be ..., got ...".
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "transforms/params.hpp"

namespace instaug {

enum class ParamType {
    Flag,        // True / False
    Integer,     // a whole number
    Number,      // a real number
    Choice,      // one of `choices`
    Range,       // (min, max), min <= max
    Ranges,      // a range, or a list of ranges (one per channel)
    AxisRange,   // a range for both axes, or {"x": range, "y": range}
    Fill,        // a number, or one number per channel (or one of `choices`, a named fill)
    IntPair,     // two integers
    Numbers,     // a number, or a list of numbers
    Integers,    // an integer, or a list of integers
    SizeHW,      // (height, width), either may be None
    Text,        // a non-empty string
    Transform,   // one transform description
    Transforms,  // a list of transform descriptions
    Mapping,     // a dict, read by whoever uses it (a Compose's bbox_params)
    Names,       // a list of strings
    Labels,      // a list of labels: strings or numbers
    Sides,       // a number, a pair or four numbers (per side); with side_ranges a pair is a range
                 // and each of four sides may be a (min, max) range
    ColorRange,  // (low colour, high colour): two colours of three whole numbers, low <= high per channel
    Colours,     // a list of colours, each one or more whole numbers (a palette)
};

struct ParamDecl {
    std::string name;
    ParamType type = ParamType::Number;
    Json default_value;  // null: None
    bool nullable = false;
    bool required = false;  // no default: the caller must pass it
    std::optional<double> low, high;  // inclusive bounds of every value
    bool integer = false;             // ranges of whole numbers
    bool odd = false;                 // kernel sizes: an even bound becomes the next odd one
    Json choices = Json::array();
    std::map<int, std::string> flag_names;  // OpenCV flags: the names in the error message
    // AxisRange: a single range stays one (one draw for both axes), and a dict names both axes (else
    // the axis left out takes the other's range, as the reference's Affine).
    bool one_range_stays = false;
    bool none_is_zero = false;  // Fill: None means 0 (else None stays None: nothing is filled)
    bool one_number = false;    // Fill: a single number (kept a number), or a name
    // Range: whole numbers stay whole and fractions fractions (XYMasking reads pixels from ints,
    // shares of the side from floats); mixing the two is refused.
    bool keeps_number_kind = false;
    bool allows_empty = false;  // Numbers, Integers: [] is a list (ignore_values=[]: nothing ignored)
    bool side_ranges = false;   // Sides: pairs are (min, max) ranges (CropAndPad), not (x, y) (Pad)
    std::string unit;

    ParamDecl& between(std::optional<double> lo, std::optional<double> hi) {
        low = lo;
        high = hi;
        return *this;
    }
    ParamDecl& or_none() {
        nullable = true;
        return *this;
    }
    ParamDecl& needed() {
        required = true;
        nullable = false;
        return *this;
    }
    ParamDecl& odd_sizes() {
        integer = odd = true;
        return *this;
    }
    ParamDecl& single_range_kept() {
        one_range_stays = true;
        return *this;
    }
    ParamDecl& ints_or_floats() {
        keeps_number_kind = true;
        return *this;
    }
    ParamDecl& single_number() {
        one_number = true;
        return *this;
    }
    ParamDecl& empty_allowed() {
        allows_empty = true;
        return *this;
    }
    ParamDecl& whole() {
        integer = true;
        return *this;
    }
    ParamDecl& in(std::string u) {
        unit = std::move(u);
        return *this;
    }
};

ParamDecl flag_param(const std::string& name, bool fallback);
ParamDecl integer_param(const std::string& name, Json fallback);
ParamDecl number_param(const std::string& name, Json fallback);
ParamDecl choice_param(const std::string& name, Json fallback, Json choices);
ParamDecl range_param(const std::string& name, Json fallback);
ParamDecl ranges_param(const std::string& name, Json fallback);
ParamDecl axis_range_param(const std::string& name, Json fallback);
ParamDecl fill_param(const std::string& name, Json fallback);
// A fill that may also be one of `names` ("random", "inpaint_telea", ...); None is refused.
ParamDecl named_fill_param(const std::string& name, Json fallback, Json names);
// A fill whose None means "leave it alone" (the dropout family's fill_mask).
ParamDecl optional_fill_param(const std::string& name);
ParamDecl int_pair_param(const std::string& name, Json fallback);
ParamDecl numbers_param(const std::string& name, Json fallback);
ParamDecl integers_param(const std::string& name, Json fallback);
ParamDecl size_hw_param(const std::string& name, Json fallback);
ParamDecl text_param(const std::string& name, Json fallback);
ParamDecl transform_param(const std::string& name);
ParamDecl transforms_param(const std::string& name);
ParamDecl mapping_param(const std::string& name);  // None by default
ParamDecl names_param(const std::string& name);    // None by default
ParamDecl labels_param(const std::string& name);   // None by default
// Per-side amounts: a number, (x, y) or (left, top, right, bottom), as Pad's padding.
ParamDecl sides_param(const std::string& name, Json fallback);
// Per-side amounts that may be drawn: a number, a (min, max) range, or four sides each a number or
// a range, as CropAndPad's px and percent (None by default).
ParamDecl side_ranges_param(const std::string& name);
// A range of RGB colours ((r, g, b), (r, g, b)) drawn channel by channel, as Colorize's anchors.
ParamDecl color_range_param(const std::string& name, Json fallback);
// A palette: colours of one or more whole numbers each (None by default).
ParamDecl colours_param(const std::string& name);
ParamDecl probability_param(double fallback);
ParamDecl interpolation_param(const std::string& name, int fallback);
ParamDecl border_mode_param(int fallback);

// Checks one argument and returns its normal form; throws std::invalid_argument naming `owner`
// and the argument.
Json normalize_param(const std::string& owner, const ParamDecl& decl, const Json& value);

// The declaration as data (name, type, default, bounds, choices, unit): what Python reads.
Json describe_param(const ParamDecl& decl);

}  // namespace instaug
