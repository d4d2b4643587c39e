// The library's version: CMake reads its project version from these lines, and a Python test checks
// that the package says the same.
#pragma once

#define INSTAUG_VERSION_MAJOR 0
#define INSTAUG_VERSION_MINOR 1
#define INSTAUG_VERSION_PATCH 0
#define INSTAUG_VERSION_STRING "0.1.0"

namespace instaug {

// The version of the library linked, which may differ from the headers compiled against.
const char* version();

}  // namespace instaug
