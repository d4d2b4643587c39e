// albumentations' pipeline files, {"__version__": "2.5.1", "transform": {"__class_fullname__":
// "Compose", "transforms": [...], "bbox_params": {...}, ...}}: what A.save writes and A.load reads,
// in Python and, through this file, in C++.
#pragma once
#include <string>

#include "transforms/params.hpp"

namespace instaug {

// The version written into files: the albumentationsx release whose layout they follow.
extern const char* const kFileVersion;

// Reads a file's content: every transform is checked against its schema and returned in normal
// form. An unknown transform or argument is std::invalid_argument naming it and where it is in the
// file ("transform.transforms[2].transforms[0]: Blur: unknown argument 'foo'").
Json read_pipeline_file(const Json& file);

}  // namespace instaug
