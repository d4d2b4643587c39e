#include "transforms/schema.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace instaug {
namespace {

const std::map<int, std::string> kInterpolationNames = {
    {0, "INTER_NEAREST"}, {1, "INTER_LINEAR"}, {2, "INTER_CUBIC"}, {3, "INTER_AREA"}, {4, "INTER_LANCZOS4"}};
const std::map<int, std::string> kBorderNames = {{0, "BORDER_CONSTANT"}, {1, "BORDER_REPLICATE"},
                                                  {2, "BORDER_REFLECT"},  {3, "BORDER_WRAP"},
                                                  {4, "BORDER_REFLECT_101"}};

ParamDecl make(const std::string& name, ParamType type, Json fallback) {
    ParamDecl d;
    d.name = name;
    d.type = type;
    d.default_value = std::move(fallback);
    d.nullable = d.default_value.is_null();
    return d;
}

constexpr double kMaxWholeNumber = 2147483647.0;

std::string number_text(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

class Checker {
public:
    Checker(const std::string& owner, const ParamDecl& decl, const Json& value)
        : owner_(owner), decl_(decl), value_(value) {}

    [[noreturn]] void fail(const std::string& expected) const {
        throw std::invalid_argument(owner_ + ": " + decl_.name + " " + expected + ", got " + python_repr(value_));
    }

    // Bounds of one value, with the wording of a single number or of a range's values.
    void bounds(double v, const char* subject) const {
        if (decl_.low && v < *decl_.low) fail(std::string(subject) + " >= " + number_text(*decl_.low));
        if (decl_.high && v > *decl_.high) fail(std::string(subject) + " <= " + number_text(*decl_.high));
    }

    Json range(const Json& v, const std::string& label) const {
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
            throw std::invalid_argument(owner_ + ": " + label + " must be a (min, max) tuple of two numbers, got " +
                                        python_repr(v));
        const double a = v[0].get<double>(), b = v[1].get<double>();
        auto refuse = [&](const std::string& what) {
            throw std::invalid_argument(owner_ + ": " + label + " " + what + ", got " + python_repr(v));
        };
        if (!std::isfinite(a) || !std::isfinite(b)) refuse("must hold finite numbers");
        if (decl_.integer && (a != std::floor(a) || b != std::floor(b))) refuse("must hold integers");
        // Whole numbers become C++ ints: they must fit one.
        const bool whole = decl_.integer || (decl_.keeps_number_kind && v[0].is_number_integer());
        if (whole && (std::abs(a) > kMaxWholeNumber || std::abs(b) > kMaxWholeNumber))
            refuse("must hold integers within +-" + std::to_string(static_cast<int64_t>(kMaxWholeNumber)));
        if (a > b) refuse("must satisfy min <= max");
        if (decl_.low && a < *decl_.low) refuse("values must be >= " + number_text(*decl_.low));
        if (decl_.high && b > *decl_.high) refuse("values must be <= " + number_text(*decl_.high));
        if (decl_.odd) {
            auto odd = [](double x) { return static_cast<int64_t>(x) + (x != 0 && static_cast<int64_t>(x) % 2 == 0); };
            return Json::array({odd(a), odd(b)});
        }
        if (decl_.keeps_number_kind) {
            if (v[0].is_number_integer() != v[1].is_number_integer()) refuse("elements must be all integers or all floats");
            if (v[0].is_number_integer()) return Json::array({static_cast<int64_t>(a), static_cast<int64_t>(b)});
        }
        if (decl_.integer) return Json::array({static_cast<int64_t>(a), static_cast<int64_t>(b)});
        return Json::array({a, b});
    }

    Json integer(const Json& v) const {
        if (!v.is_number_integer()) fail("must be an integer");
        bounds(v.get<double>(), "must be");
        return v;
    }

    Json run() const {
        const Json& v = value_;
        if (v.is_null() && decl_.nullable && !(decl_.type == ParamType::Fill && decl_.none_is_zero)) return v;
        switch (decl_.type) {
            case ParamType::Flag:
                if (!v.is_boolean()) fail("must be True or False");
                return v;
            case ParamType::Integer: return integer(v);
            case ParamType::Number:
                if (!v.is_number()) fail("must be a number");
                if (!std::isfinite(v.get<double>())) fail("must be finite");
                bounds(v.get<double>(), "must be");
                return Json(v.get<double>());
            case ParamType::Choice: return choice(v);
            case ParamType::Range: return range(v, decl_.name);
            case ParamType::Ranges: return ranges(v);
            case ParamType::AxisRange: return axis_range(v);
            case ParamType::Fill: return fill(v);
            case ParamType::IntPair: return int_pair(v);
            case ParamType::Numbers: return numbers(v, false);
            case ParamType::Integers: return numbers(v, true);
            case ParamType::SizeHW: return size_hw(v);
            case ParamType::Text:
                if (!v.is_string() || v.get_ref<const std::string&>().empty()) fail("must be a non-empty string");
                return v;
            case ParamType::Transform:
                if (!v.is_object()) fail("must be a transform");
                return v;
            case ParamType::Transforms:
                if (!v.is_array()) fail("must be a list of transforms");
                for (const Json& t : v)
                    if (!t.is_object()) fail("must be a list of transforms");
                return v;
            case ParamType::Mapping:
                if (!v.is_object()) fail("must be a dict");
                return v;
            case ParamType::Names:
                if (!v.is_array()) fail("must be a list of strings");
                for (const Json& t : v)
                    if (!t.is_string()) fail("must be a list of strings");
                return v;
            case ParamType::Labels:
                if (!v.is_array()) fail("must be a list of labels (strings or numbers)");
                for (const Json& t : v)
                    if (!t.is_string() && !t.is_number()) fail("must be a list of labels (strings or numbers)");
                return v;
            case ParamType::Sides: return sides(v);
            case ParamType::ColorRange: return color_range(v);
            case ParamType::Colours: return colours(v);
        }
        return v;
    }

private:
    Json choice(const Json& v) const {
        for (const Json& c : decl_.choices)
            if (c == v && c.is_boolean() == v.is_boolean()) return v;
        if (!decl_.flag_names.empty()) {
            std::string names = "{";
            for (const auto& [k, n] : decl_.flag_names) names += (names.size() > 1 ? ", " : "") + std::to_string(k) + ": '" + n + "'";
            const bool border = decl_.name == "border_mode";
            fail(std::string("must be an OpenCV ") + (border ? "border" : "interpolation") + " flag " + names + "}");
        }
        fail("must be one of " + python_repr(decl_.choices));
    }

    Json ranges(const Json& v) const {
        if (!v.is_array() || v.empty() || !v[0].is_array()) return range(v, decl_.name);
        Json out = Json::array();
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(range(v[i], decl_.name + "[" + std::to_string(i) + "]"));
        return out;
    }

    Json axis_range(const Json& v) const {
        if (v.is_object()) {
            for (const auto& [axis, _] : v.items())
                if (axis != "x" && axis != "y")
                    throw std::invalid_argument(owner_ + ": " + decl_.name + " dict keys must be 'x' and/or 'y', got " +
                                                python_repr(v));
            if (v.empty() || (decl_.one_range_stays && v.size() != 2))
                throw std::invalid_argument(owner_ + ": " + decl_.name + " dict must name " +
                                            (decl_.one_range_stays ? "both 'x' and 'y'" : "'x' and/or 'y'") + ", got " +
                                            python_repr(v));
            Json out = Json::object();
            for (const char* axis : {"x", "y"}) {
                const char* given = v.contains(axis) ? axis : (axis[0] == 'x' ? "y" : "x");
                out[axis] = range(v[given], decl_.name + "['" + given + "']");
            }
            return out;
        }
        const Json r = range(v, decl_.name);
        if (decl_.one_range_stays) return r;
        return Json{{"x", r}, {"y", r}};
    }

    Json fill(const Json& v) const {
        if (v.is_null()) return Json::array({0.0});
        if (v.is_string()) {  // a named fill (the dropout family's "random", "inpaint_ns", ...)
            for (const Json& c : decl_.choices)
                if (c == v) return v;
            fail("must be a number, a tuple of numbers" +
                 (decl_.choices.empty() ? std::string() : " or one of " + python_repr(decl_.choices)));
        }
        if (v.is_number()) {
            if (!std::isfinite(v.get<double>())) fail("must hold finite numbers");
            return decl_.one_number ? Json(v.get<double>()) : Json::array({v.get<double>()});
        }
        if (decl_.one_number)
            fail("must be a number" +
                 (decl_.choices.empty() ? std::string() : " or one of " + python_repr(decl_.choices)));
        if (v.is_array() && !v.empty()) {
            Json out = Json::array();
            for (const Json& x : v) {
                if (!x.is_number() || !std::isfinite(x.get<double>())) fail("must be a number or a tuple of numbers");
                out.push_back(x.get<double>());
            }
            return out;
        }
        fail("must be a number or a tuple of numbers");
    }

    Json int_pair(const Json& v) const {
        const std::string lo = decl_.low ? number_text(*decl_.low) : "-inf", hi = decl_.high ? number_text(*decl_.high) : "inf";
        if (!v.is_array() || v.size() != 2) fail("must be a pair of integers in [" + lo + ", " + hi + "]");
        for (const Json& x : v)
            if (!x.is_number_integer() || (decl_.low && x.get<double>() < *decl_.low) ||
                (decl_.high && x.get<double>() > *decl_.high))
                fail("must be a pair of integers in [" + lo + ", " + hi + "]");
        return v;
    }

    Json numbers(const Json& v, bool whole) const {
        const std::string expected = whole ? "must be an integer or a list of integers" : "must be a number or a tuple of numbers";
        Json list = v.is_array() ? v : Json::array({v});
        if (list.empty() && !decl_.allows_empty) fail(expected);
        Json out = Json::array();
        for (const Json& x : list) {
            if (whole ? !x.is_number_integer() : !x.is_number() || !std::isfinite(x.get<double>())) fail(expected);
            bounds(x.get<double>(), "values must be");
            out.push_back(whole ? Json(x.get<int64_t>()) : Json(x.get<double>()));
        }
        return out;
    }

    // One side's amount: a number of the declared kind within the bounds.
    Json side(const Json& x, const std::string& expected) const {
        if (decl_.integer ? !x.is_number_integer() : !x.is_number() || !std::isfinite(x.get<double>())) fail(expected);
        bounds(x.get<double>(), "values must be");
        return decl_.integer ? Json(x.get<int64_t>()) : Json(x.get<double>());
    }

    Json sides(const Json& v) const {
        const std::string kind = decl_.integer ? "integer" : "number";
        const std::string expected =
            decl_.side_ranges ? "must be a " + kind + ", a (min, max) range, or four sides (top, right, bottom, left) "
                                "each a " + kind + " or a range"
                              : "must be an " + kind + ", a pair (x, y) or four " + kind +
                                    "s (left, top, right, bottom)";
        if (!v.is_array()) return side(v, expected);
        if (v.size() == 2 && decl_.side_ranges) return range(v, decl_.name);
        if (v.size() != 2 && v.size() != 4) fail(expected);
        Json out = Json::array();
        for (std::size_t i = 0; i < v.size(); ++i) {
            const bool drawn = decl_.side_ranges && v[i].is_array();
            out.push_back(drawn ? range(v[i], decl_.name + "[" + std::to_string(i) + "]") : side(v[i], expected));
        }
        return out;
    }

    Json color_range(const Json& v) const {
        const std::string expected = "must be (low, high) with three integers each, low <= high per channel";
        if (!v.is_array() || v.size() != 2) fail(expected);
        Json out = Json::array();
        for (const Json& colour : v) {
            if (!colour.is_array() || colour.size() != 3) fail(expected);
            Json channels = Json::array();
            for (const Json& x : colour) {
                if (!x.is_number() || !std::isfinite(x.get<double>()) || x.get<double>() != std::floor(x.get<double>()))
                    fail(expected);
                bounds(x.get<double>(), "values must be");
                channels.push_back(static_cast<int64_t>(x.get<double>()));
            }
            out.push_back(std::move(channels));
        }
        for (std::size_t c = 0; c < 3; ++c)
            if (out[0][c].get<int64_t>() > out[1][c].get<int64_t>()) fail(expected);
        return out;
    }

    Json colours(const Json& v) const {
        const std::string expected = "must be a non-empty list of colours, each a non-empty tuple of integers";
        if (!v.is_array() || v.empty()) fail(expected);
        Json out = Json::array();
        for (const Json& colour : v) {
            if (!colour.is_array() || colour.empty()) fail(expected);
            Json channels = Json::array();
            for (const Json& x : colour) {
                if (!x.is_number_integer()) fail(expected);
                bounds(x.get<double>(), "values must be");
                channels.push_back(x.get<int64_t>());
            }
            out.push_back(std::move(channels));
        }
        return out;
    }

    Json size_hw(const Json& v) const {
        const std::string expected = "must be (height, width) with at least one integer";
        if (!v.is_array() || v.size() != 2 || (v[0].is_null() && v[1].is_null())) fail(expected);
        for (const Json& x : v) {
            if (x.is_null()) continue;
            if (!x.is_number_integer()) fail(expected);
            bounds(x.get<double>(), "values must be");
        }
        return v;
    }

    const std::string& owner_;
    const ParamDecl& decl_;
    const Json& value_;
};

const char* type_name(ParamType t) {
    switch (t) {
        case ParamType::Flag: return "bool";
        case ParamType::Integer: return "int";
        case ParamType::Number: return "float";
        case ParamType::Choice: return "choice";
        case ParamType::Range: return "range";
        case ParamType::Ranges: return "ranges";
        case ParamType::AxisRange: return "axis_range";
        case ParamType::Fill: return "fill";
        case ParamType::IntPair: return "int_pair";
        case ParamType::Numbers: return "numbers";
        case ParamType::Integers: return "integers";
        case ParamType::SizeHW: return "size_hw";
        case ParamType::Text: return "str";
        case ParamType::Transform: return "transform";
        case ParamType::Transforms: return "transforms";
        case ParamType::Mapping: return "mapping";
        case ParamType::Names: return "names";
        case ParamType::Labels: return "labels";
        case ParamType::Sides: return "sides";
        case ParamType::ColorRange: return "color_range";
        case ParamType::Colours: return "colours";
    }
    return "?";
}

}  // namespace

ParamDecl flag_param(const std::string& name, bool fallback) { return make(name, ParamType::Flag, fallback); }
ParamDecl integer_param(const std::string& name, Json fallback) { return make(name, ParamType::Integer, std::move(fallback)); }
ParamDecl number_param(const std::string& name, Json fallback) { return make(name, ParamType::Number, std::move(fallback)); }
ParamDecl range_param(const std::string& name, Json fallback) { return make(name, ParamType::Range, std::move(fallback)); }
ParamDecl ranges_param(const std::string& name, Json fallback) { return make(name, ParamType::Ranges, std::move(fallback)); }
ParamDecl fill_param(const std::string& name, Json fallback) {
    ParamDecl d = make(name, ParamType::Fill, std::move(fallback));
    d.nullable = true;  // None means 0, as the reference
    d.none_is_zero = true;
    return d;
}

ParamDecl named_fill_param(const std::string& name, Json fallback, Json names) {
    ParamDecl d = make(name, ParamType::Fill, std::move(fallback));
    d.choices = std::move(names);
    d.nullable = false;
    return d;
}

ParamDecl optional_fill_param(const std::string& name) { return make(name, ParamType::Fill, nullptr); }
ParamDecl int_pair_param(const std::string& name, Json fallback) { return make(name, ParamType::IntPair, std::move(fallback)); }
ParamDecl numbers_param(const std::string& name, Json fallback) { return make(name, ParamType::Numbers, std::move(fallback)); }
ParamDecl integers_param(const std::string& name, Json fallback) { return make(name, ParamType::Integers, std::move(fallback)); }
ParamDecl size_hw_param(const std::string& name, Json fallback) { return make(name, ParamType::SizeHW, std::move(fallback)); }
ParamDecl text_param(const std::string& name, Json fallback) { return make(name, ParamType::Text, std::move(fallback)); }
ParamDecl transform_param(const std::string& name) { return make(name, ParamType::Transform, nullptr); }
ParamDecl transforms_param(const std::string& name) {
    ParamDecl d = make(name, ParamType::Transforms, Json::array());
    return d;
}

ParamDecl mapping_param(const std::string& name) { return make(name, ParamType::Mapping, nullptr); }
ParamDecl names_param(const std::string& name) { return make(name, ParamType::Names, nullptr); }
ParamDecl labels_param(const std::string& name) { return make(name, ParamType::Labels, nullptr); }

ParamDecl sides_param(const std::string& name, Json fallback) {
    ParamDecl d = make(name, ParamType::Sides, std::move(fallback));
    d.integer = true;
    return d;
}

ParamDecl side_ranges_param(const std::string& name) {
    ParamDecl d = make(name, ParamType::Sides, nullptr);
    d.side_ranges = true;
    return d;
}

ParamDecl color_range_param(const std::string& name, Json fallback) {
    ParamDecl d = make(name, ParamType::ColorRange, std::move(fallback));
    d.integer = true;
    return d.between(0, 255);
}

ParamDecl colours_param(const std::string& name) { return make(name, ParamType::Colours, nullptr); }

ParamDecl choice_param(const std::string& name, Json fallback, Json choices) {
    ParamDecl d = make(name, ParamType::Choice, std::move(fallback));
    d.choices = std::move(choices);
    d.nullable = false;  // None is allowed only when it is one of the choices
    return d;
}

ParamDecl axis_range_param(const std::string& name, Json fallback) {
    ParamDecl d = make(name, ParamType::AxisRange, std::move(fallback));
    return d;
}

ParamDecl probability_param(double fallback) { return number_param("p", fallback).between(0.0, 1.0); }

ParamDecl interpolation_param(const std::string& name, int fallback) {
    ParamDecl d = choice_param(name, fallback, Json::array({0, 1, 2, 3, 4}));
    d.flag_names = kInterpolationNames;
    return d;
}

ParamDecl border_mode_param(int fallback) {
    ParamDecl d = choice_param("border_mode", fallback, Json::array({0, 1, 2, 3, 4}));
    d.flag_names = kBorderNames;
    return d;
}

Json normalize_param(const std::string& owner, const ParamDecl& decl, const Json& value) {
    if (decl.name == "p" && (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1))
        throw std::invalid_argument(owner + ": p must be a number in [0, 1], got " + python_repr(value));
    return Checker(owner, decl, value).run();
}

Json describe_param(const ParamDecl& decl) {
    Json d{{"name", decl.name}, {"type", type_name(decl.type)}, {"default", decl.default_value},
           {"nullable", decl.nullable}, {"integer", decl.integer},
           {"required", decl.required}, {"odd", decl.odd}};
    if (decl.low) d["low"] = *decl.low;
    if (decl.high) d["high"] = *decl.high;
    if (!decl.choices.empty()) d["choices"] = decl.choices;
    if (!decl.unit.empty()) d["unit"] = decl.unit;
    return d;
}

}  // namespace instaug
