#include "instaug/version.hpp"

namespace instaug {

const char* version() { return INSTAUG_VERSION_STRING; }

}  // namespace instaug
