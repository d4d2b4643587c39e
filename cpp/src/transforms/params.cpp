#include "transforms/params.hpp"

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

std::string python_repr(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null: return "None";
        case Json::value_t::boolean: return value.get<bool>() ? "True" : "False";
        case Json::value_t::string: return "'" + value.get<std::string>() + "'";
        case Json::value_t::number_float: {
            std::ostringstream s;
            s << value.get<double>();
            std::string text = s.str();
            if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
            return text;
        }
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
