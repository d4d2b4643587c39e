// A transform as the Python facade describes it: a name, a probability and a bag of parameters
// already validated there. The C++ side only reads it.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace instaug {

struct TransformSpec {
    std::string name;
    double p = 1.0;
    std::map<std::string, double> numbers;
    std::map<std::string, std::vector<double>> vectors;
    std::map<std::string, std::string> strings;

    bool has(const std::string& key) const {
        return numbers.count(key) || vectors.count(key) || strings.count(key);
    }
    double number(const std::string& key) const {
        auto it = numbers.find(key);
        if (it == numbers.end()) throw std::invalid_argument(name + ": missing parameter '" + key + "'");
        return it->second;
    }
    double number_or(const std::string& key, double fallback) const {
        auto it = numbers.find(key);
        return it == numbers.end() ? fallback : it->second;
    }
    const std::vector<double>& vector(const std::string& key) const {
        auto it = vectors.find(key);
        if (it == vectors.end()) throw std::invalid_argument(name + ": missing parameter '" + key + "'");
        return it->second;
    }
    std::string string_or(const std::string& key, const std::string& fallback) const {
        auto it = strings.find(key);
        return it == strings.end() ? fallback : it->second;
    }
};

}  // namespace instaug
