#include "instaug/cpu_features.hpp"

#include <cstdlib>

namespace instaug {

bool use_avx2_kernel() {
#if defined(INSTAUG_AVX2_DISPATCH)
    static const bool use = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                            std::getenv("INSTAUG_NO_AVX2") == nullptr;
    return use;
#else
    return false;
#endif
}

}  // namespace instaug
