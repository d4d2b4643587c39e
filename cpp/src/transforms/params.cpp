#include "transforms/params.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace instaug {
namespace {

[[noreturn]] void wrong_type(const std::string& name, const char* expected, const Json& value) {
    throw std::logic_error("parameter '" + name + "' read as " + expected + " but holds " + value.dump());
}

std::array<double, 2> pair_of(const std::string& name, const Json& value) {
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number())
        wrong_type(name, "a range", value);
    return {value[0].get<double>(), value[1].get<double>()};
}

}  // namespace

const Json& Params::at(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::logic_error("no parameter '" + name + "' in " + values_.dump());
    return *it;
}

bool Params::flag(const std::string& name) const {
    const Json& v = at(name);
    if (!v.is_boolean()) wrong_type(name, "a flag", v);
    return v.get<bool>();
}

int64_t Params::integer(const std::string& name) const {
    const Json& v = at(name);
    if (!v.is_number_integer()) wrong_type(name, "an integer", v);
    return v.get<int64_t>();
}

double Params::number(const std::string& name) const {
    const Json& v = at(name);
    if (!v.is_number()) wrong_type(name, "a number", v);
    return v.get<double>();
}

const std::string& Params::text(const std::string& name) const {
    const Json& v = at(name);
    if (!v.is_string()) wrong_type(name, "a string", v);
    return v.get_ref<const std::string&>();
}

std::array<double, 2> Params::range(const std::string& name) const { return pair_of(name, at(name)); }

std::array<double, 2> Params::axis_range(const std::string& name, const char* axis) const {
    const Json& v = at(name);
    if (v.is_array()) return pair_of(name, v);  // one range for both axes
    if (!v.is_object() || !v.contains(axis)) wrong_type(name, "a per-axis range", v);
    return pair_of(name, v[axis]);
}

std::vector<double> Params::numbers(const std::string& name) const {
    const Json& v = at(name);
    if (!v.is_array()) wrong_type(name, "a list of numbers", v);
    std::vector<double> out;
    for (const Json& x : v) {
        if (!x.is_number()) wrong_type(name, "a list of numbers", v);
        out.push_back(x.get<double>());
    }
    return out;
}

std::string python_float_repr(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    // The fewest significant digits that read back as the same double, as Python's repr.
    char digits[40];
    int precision = 1;
    for (; precision < 17; ++precision) {
        std::snprintf(digits, sizeof digits, "%.*e", precision - 1, value);
        if (std::strtod(digits, nullptr) == value) break;
    }
    std::snprintf(digits, sizeof digits, "%.*e", precision - 1, value);
    const std::string text = digits;
    const std::size_t e = text.find('e');
    const int exponent = std::atoi(text.c_str() + e + 1);
    const bool negative = text[0] == '-';
    std::string mantissa;  // the significant digits alone
    for (std::size_t i = negative ? 1 : 0; i < e; ++i)
        if (text[i] != '.') mantissa += text[i];
    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {  // Python's switch to scientific notation
        out += mantissa.substr(0, 1);
        if (mantissa.size() > 1) out += "." + mantissa.substr(1);
        char tail[16];
        std::snprintf(tail, sizeof tail, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        return out + tail;
    }
    if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + mantissa;
    const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
    if (mantissa.size() <= whole) return out + mantissa + std::string(whole - mantissa.size(), '0') + ".0";
    return out + mantissa.substr(0, whole) + "." + mantissa.substr(whole);
}

std::string python_repr(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null: return "None";
        case Json::value_t::boolean: return value.get<bool>() ? "True" : "False";
        case Json::value_t::string: return "'" + value.get<std::string>() + "'";
        case Json::value_t::number_float: return python_float_repr(value.get<double>());
        case Json::value_t::array: {
            std::string out = "[";
            for (std::size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + python_repr(value[i]);
            return out + "]";
        }
        case Json::value_t::object: {
            std::string out = "{";
            bool first = true;
            for (const auto& [k, v] : value.items()) {
                out += (first ? "'" : ", '") + k + "': " + python_repr(v);
                first = false;
            }
            return out + "}";
        }
        default: return value.dump();
    }
}

}  // namespace instaug
