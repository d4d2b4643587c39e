// A loop over rows on OpenCV's thread pool that lets exceptions out.
//
// Not OpenMP: GNU OpenMP's pool does not survive fork(), so a DataLoader worker forked after the
// parent ran a parallel region hung in its first one; OpenCV's pool does survive it (tested). An
// exception must not leave a worker either: the first is kept and rethrown after the loop.
#pragma once
#include <algorithm>
#include <exception>
#include <mutex>

#include <opencv2/core/utility.hpp>

namespace instaug {

// Runs fn(i) for i in [0, n); on the pool when n >= min_parallel (cv::setNumThreads sizes it).
template <class Fn>
void parallel_for_each_row(int n, int min_parallel, Fn fn) {
    std::exception_ptr error;
    std::mutex error_lock;
    auto rows = [&](const cv::Range& range) {
        for (int i = range.start; i < range.end; ++i) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> hold(error_lock);
                if (!error) error = std::current_exception();
            }
        }
    };
    if (n < min_parallel) rows(cv::Range(0, n));
    else cv::parallel_for_(cv::Range(0, n), rows, std::max(1, n / 4));  // stripes of ~4 rows, as dynamic scheduling
    if (error) std::rethrow_exception(error);
}

}  // namespace instaug
