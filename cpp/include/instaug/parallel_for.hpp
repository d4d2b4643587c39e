// A loop over rows on OpenMP threads that lets exceptions out: one thrown inside an OpenMP region
// would end the process (std::terminate), so the first is kept and rethrown after the loop.
#pragma once
#include <exception>

namespace instaug {

// Runs fn(i) for i in [0, n); on OpenMP threads when n >= min_parallel.
template <class Fn>
void parallel_for_each_row(int n, int min_parallel, Fn fn) {
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 4) if (n >= min_parallel)
    for (int i = 0; i < n; ++i) {
        try {
            fn(i);
        } catch (...) {
#pragma omp critical(instaug_parallel_for_error)
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace instaug
