// fleet/json_stack.hpp: RapidJSON's work stack for the node reader, without arithmetic on a null pointer.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fleet/json_stack.hpp"
#include <rapidjson/document.h>

namespace {

using JsonStack = rapidjson::internal::Stack<gpuenv::JsonStackAllocator>;

TEST(JsonStack, PushPopTopAndGrowth) {
  JsonStack st(nullptr, 8);
  EXPECT_TRUE(st.Empty());
  EXPECT_EQ(st.GetCapacity(), 0u);
  EXPECT_EQ(st.End<char>(), nullptr);  // nothing allocated yet, and no offset added to null
  for (std::uint32_t i = 0; i < 1000; ++i) *st.Push<std::uint32_t>() = i;
  EXPECT_EQ(st.GetSize(), 4000u);
  EXPECT_GE(st.GetCapacity(), 4000u);
  EXPECT_TRUE(st.HasAllocator());
  EXPECT_EQ(*st.Top<std::uint32_t>(), 999u);
  EXPECT_EQ(st.Bottom<std::uint32_t>()[10], 10u);
  EXPECT_EQ(*st.Pop<std::uint32_t>(1), 999u);
  EXPECT_EQ(*st.Pop<std::uint32_t>(9), 990u);
  EXPECT_EQ(st.GetSize(), 990u * 4);
  st.ShrinkToFit();
  EXPECT_EQ(st.GetCapacity(), st.GetSize());
  EXPECT_EQ(st.Bottom<std::uint32_t>()[989], 989u);
  JsonStack other(nullptr, 16);
  other.Swap(st);
  EXPECT_TRUE(st.Empty());
  EXPECT_EQ(other.GetSize(), 990u * 4);
  other.Clear();
  other.ShrinkToFit();
  EXPECT_EQ(other.GetCapacity(), 0u);
  JsonStack moved(std::move(other));
  EXPECT_TRUE(moved.Empty());
}

// The whole reader on it: values, strings that need unescaping, deep nesting (iterative), errors.
TEST(JsonStack, DocumentsParseThroughIt) {
  using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, gpuenv::JsonStackAllocator>;
  std::string text = R"({"a": [1, 2.5, "x\u00e9\n", {"b": null}], "c": true})";
  Doc d;
  d.Parse<rapidjson::kParseIterativeFlag>(text.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(d["a"].Size(), 4u);
  EXPECT_EQ(std::string(d["a"][2].GetString()), "x\xc3\xa9\n");
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  Doc e;
  e.Parse<rapidjson::kParseIterativeFlag>(deep.c_str());
  EXPECT_FALSE(e.HasParseError());
  Doc f;
  f.Parse<rapidjson::kParseIterativeFlag>("{\"a\": [1, 2");
  EXPECT_TRUE(f.HasParseError());
}

}  // namespace
