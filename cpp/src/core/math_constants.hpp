// Mathematical constants of our own: M_PI is POSIX, not standard C++ (MSVC's <cmath> defines it
// only after _USE_MATH_DEFINES), and std::numbers::pi is C++20. Same digits as glibc's M_PI, so the
// same double.
#pragma once

namespace instaug {

inline constexpr double kPi = 3.14159265358979323846;

}  // namespace instaug
