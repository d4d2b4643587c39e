#include "kernels/cpu_features.hpp"

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

bool use_avx512_kernel() {
#if defined(INSTAUG_AVX2_DISPATCH)
    static const bool use = use_avx2_kernel() && __builtin_cpu_supports("avx512f") &&
                            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vbmi") &&
                            std::getenv("INSTAUG_NO_AVX512") == nullptr;
    return use;
#else
    return false;
#endif
}

}  // namespace instaug
