#include "core/buffer_cache.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif

#include <deque>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <opencv2/core.hpp>

#include "core/aligned_block.hpp"

namespace instaug {

namespace {

constexpr std::size_t kPageBytes = 4096;
constexpr std::size_t kDefaultLimitBytes = std::size_t{512} << 20;

std::size_t capacity_for(std::size_t bytes) { return (bytes + kPageBytes - 1) / kPageBytes * kPageBytes; }

}  // namespace

struct BufferCache::State {
    struct Entry {
        std::size_t capacity;
        void* data;
    };
    std::mutex mutex;
    std::list<Entry> recent_first;  // every cached block, the most recently returned first
    // Per capacity, that capacity's blocks oldest first (iterators into recent_first).
    std::unordered_map<std::size_t, std::deque<std::list<Entry>::iterator>> by_capacity;
    std::size_t cached = 0;
    std::size_t limit = kDefaultLimitBytes;

    // Drops the least recently returned blocks until the cache fits its limit; they are freed by
    // the caller, outside the lock.
    void evict_to_limit(std::vector<void*>& to_free) {
        while (cached > limit && !recent_first.empty()) {
            const Entry oldest = recent_first.back();
            auto slot = by_capacity.find(oldest.capacity);
            slot->second.pop_front();  // the oldest of its capacity is the oldest overall
            if (slot->second.empty()) by_capacity.erase(slot);
            recent_first.pop_back();
            cached -= oldest.capacity;
            to_free.push_back(oldest.data);
        }
    }
};

BufferCache& BufferCache::instance() {
    static BufferCache* cache = new BufferCache();
    return *cache;
}

BufferCache::State& BufferCache::state() const {
    static State* s = [] {
        auto* fresh = new State();
#if defined(__unix__) || defined(__APPLE__)
        // A fork (DataLoader workers) while another thread is inside the cache would leave the
        // child's copy of the lock held forever: hold it across the fork, release it on both sides.
        // Only where fork exists: Windows starts processes afresh (spawn), with no copy of the lock.
        pthread_atfork([] { BufferCache::instance().state().mutex.lock(); },
                       [] { BufferCache::instance().state().mutex.unlock(); },
                       [] { BufferCache::instance().state().mutex.unlock(); });
#endif
        return fresh;
    }();
    return *s;
}

CachedBlock BufferCache::acquire(std::size_t bytes, bool zero_fresh) {
    if (bytes < kMinCachedBytes) return {allocate_block(bytes, zero_fresh), false};
    const std::size_t capacity = capacity_for(bytes);
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        auto slot = s.by_capacity.find(capacity);
        if (slot != s.by_capacity.end()) {
            auto entry = slot->second.back();  // the newest: most likely still in cache
            slot->second.pop_back();
            if (slot->second.empty()) s.by_capacity.erase(slot);
            void* data = entry->data;
            s.recent_first.erase(entry);
            s.cached -= capacity;
            return {data, true};
        }
    }
    return {allocate_block(capacity, zero_fresh), false};
}

void BufferCache::release(void* data, std::size_t bytes) {
    if (!data) return;
    if (bytes < kMinCachedBytes) {
        free_block(data);
        return;
    }
    const std::size_t capacity = capacity_for(bytes);
    State& s = state();
    std::vector<void*> to_free;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (capacity > s.limit) {
            to_free.push_back(data);
        } else {
            s.recent_first.push_front({capacity, data});
            s.by_capacity[capacity].push_back(s.recent_first.begin());
            s.cached += capacity;
            s.evict_to_limit(to_free);
        }
    }
    for (void* p : to_free) free_block(p);
}

void BufferCache::set_limit(std::size_t bytes) {
    State& s = state();
    std::vector<void*> to_free;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.limit = bytes;
        s.evict_to_limit(to_free);
    }
    for (void* p : to_free) free_block(p);
}

std::size_t BufferCache::limit() const {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return s.limit;
}

std::size_t BufferCache::cached_bytes() const {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return s.cached;
}

namespace {

// OpenCV's CV_AUTOSTEP (its C header): a step the allocator is to fill in.
constexpr size_t kOpenCvAutoStep = 0x7fffffff;

// OpenCV's standard CPU allocator, with the data block from the cache.
class CachedMatAllocator : public cv::MatAllocator {
public:
    cv::UMatData* allocate(int dims, const int* sizes, int type, void* user_data, size_t* step, cv::AccessFlag,
                           cv::UMatUsageFlags) const override {
        size_t total = CV_ELEM_SIZE(type);
        for (int i = dims - 1; i >= 0; --i) {
            if (step) {
                if (user_data && step[i] != kOpenCvAutoStep) total = step[i];
                else step[i] = total;
            }
            total *= static_cast<size_t>(sizes[i]);
        }
        auto* data = static_cast<uchar*>(user_data ? user_data : BufferCache::instance().acquire(total, false).data);
        auto* u = new cv::UMatData(this);
        u->data = u->origdata = data;
        u->size = total;
        if (user_data) u->flags |= cv::UMatData::USER_ALLOCATED;
        return u;
    }

    bool allocate(cv::UMatData* u, cv::AccessFlag, cv::UMatUsageFlags) const override { return u != nullptr; }

    void deallocate(cv::UMatData* u) const override {
        if (!u) return;
        CV_Assert(u->urefcount == 0 && u->refcount == 0);
        if (!(u->flags & cv::UMatData::USER_ALLOCATED)) {
            BufferCache::instance().release(u->origdata, u->size);
            u->origdata = nullptr;
        }
        delete u;
    }
};

}  // namespace

std::shared_ptr<void> cached_block_owner(void* data, std::size_t bytes) {
    return std::shared_ptr<void>(data, [bytes](void* p) { BufferCache::instance().release(p, bytes); });
}

void use_buffer_cache_for_mats() {
    static CachedMatAllocator* allocator = new CachedMatAllocator();
    if (cv::Mat::getDefaultAllocator() != allocator) cv::Mat::setDefaultAllocator(allocator);
}

}  // namespace instaug
