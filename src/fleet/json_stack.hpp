#pragma once
// RapidJSON 1.1.0 (Debian 12's; no later release exists) keeps a work stack in its reader and its document,
// allocated on the first push. Its capacity test computes `stackTop_ + n` while stackTop_ is still null: adding
// a non-zero offset to a null pointer, undefined behaviour on every document (clang's UBSan: "applying non-zero
// offset to null pointer", internal/stack.h Reserve; fixed upstream after 1.1.0, never released).
//
// RapidJSON takes the stack's allocator type as a template argument, so node_reader gives it its own type,
// JsonStackAllocator, and this header gives the stack of that type its own implementation (a full specialization
// of rapidjson::internal::Stack, written here): the same interface, capacity measured as a size (stackEnd_ -
// stackTop_ >= n), never by forming a pointer past null. Include it before <rapidjson/document.h>.
#include <rapidjson/allocators.h>
#include <rapidjson/internal/stack.h>

#include <cstddef>
#include <utility>

namespace gpuenv {
// malloc/realloc/free, as RapidJSON's CrtAllocator; a type of its own so that the stack below is the one used.
struct JsonStackAllocator : rapidjson::CrtAllocator {};
}  // namespace gpuenv

namespace rapidjson::internal {

template <>
class Stack<gpuenv::JsonStackAllocator> {
  using Alloc = gpuenv::JsonStackAllocator;

 public:
  Stack(Alloc* allocator, size_t initial) : allocator_(allocator), initial_(initial) {}
  Stack(Stack&& o) noexcept { swap_all(o); }
  Stack& operator=(Stack&& o) noexcept {
    if (this != &o) {
      release();
      allocator_ = nullptr;
      size_ = capacity_ = initial_ = 0;
      swap_all(o);
    }
    return *this;
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack() { release(); }

  void Swap(Stack& o) { swap_all(o); }
  void Clear() { size_ = 0; }
  void ShrinkToFit() {
    if (size_ == 0) {
      Alloc::Free(base_);
      base_ = nullptr;
      capacity_ = 0;
    } else {
      resize(size_);
    }
  }

  template <typename T>
  RAPIDJSON_FORCEINLINE void Reserve(size_t count = 1) {
    if (capacity_ - size_ < sizeof(T) * count) grow(sizeof(T) * count);
  }
  template <typename T>
  RAPIDJSON_FORCEINLINE T* Push(size_t count = 1) {
    Reserve<T>(count);
    return PushUnsafe<T>(count);
  }
  template <typename T>
  RAPIDJSON_FORCEINLINE T* PushUnsafe(size_t count = 1) {
    RAPIDJSON_ASSERT(capacity_ - size_ >= sizeof(T) * count);
    T* at = reinterpret_cast<T*>(base_ + size_);
    size_ += sizeof(T) * count;
    return at;
  }
  template <typename T>
  T* Pop(size_t count) {
    RAPIDJSON_ASSERT(size_ >= sizeof(T) * count);
    size_ -= sizeof(T) * count;
    return reinterpret_cast<T*>(base_ + size_);
  }
  template <typename T>
  T* Top() {
    RAPIDJSON_ASSERT(size_ >= sizeof(T));
    return reinterpret_cast<T*>(base_ + size_ - sizeof(T));
  }
  template <typename T>
  const T* Top() const {
    RAPIDJSON_ASSERT(size_ >= sizeof(T));
    return reinterpret_cast<const T*>(base_ + size_ - sizeof(T));
  }
  template <typename T>
  T* End() {
    return reinterpret_cast<T*>(base_ + size_);  // base_ + 0 when empty: no offset is added to null
  }
  template <typename T>
  const T* End() const {
    return reinterpret_cast<const T*>(base_ + size_);
  }
  template <typename T>
  T* Bottom() {
    return reinterpret_cast<T*>(base_);
  }
  template <typename T>
  const T* Bottom() const {
    return reinterpret_cast<const T*>(base_);
  }

  bool HasAllocator() const { return allocator_ != nullptr; }
  Alloc& GetAllocator() {
    RAPIDJSON_ASSERT(allocator_);
    return *allocator_;
  }
  bool Empty() const { return size_ == 0; }
  size_t GetSize() const { return size_; }
  size_t GetCapacity() const { return capacity_; }

 private:
  __attribute__((noinline)) void grow(size_t more) {  // rare: kept out of the inlined push
    if (!allocator_) allocator_ = own_ = new Alloc();
    size_t want = base_ ? capacity_ + (capacity_ + 1) / 2 : initial_;
    if (want < size_ + more) want = size_ + more;
    resize(want);
  }
  void resize(size_t capacity) {
    base_ = static_cast<char*>(allocator_->Realloc(base_, capacity_, capacity));
    capacity_ = capacity;
  }
  void release() {
    Alloc::Free(base_);
    delete own_;
    base_ = nullptr;
    own_ = nullptr;
  }
  void swap_all(Stack& o) {
    std::swap(allocator_, o.allocator_);
    std::swap(own_, o.own_);
    std::swap(base_, o.base_);
    std::swap(size_, o.size_);
    std::swap(capacity_, o.capacity_);
    std::swap(initial_, o.initial_);
  }

  Alloc* allocator_ = nullptr;
  Alloc* own_ = nullptr;  // made here when none was given, deleted here
  char* base_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  size_t initial_ = 0;
};

}  // namespace rapidjson::internal
