#include "idlc/cache/ast_archive.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace alpaca::idl {
namespace {

constexpr std::string_view kMagic = "AIDLAST1";
// Real IDL nests a few dozen levels at most (expressions in attributes);
// the bound keeps a crafted archive from exhausting the stack.
constexpr int kMaxDepth = 200;

template <typename T, typename U>
concept Is = std::is_same_v<std::remove_const_t<T>, U>;

// Largest valid value of each enum stored in the AST.
template <typename E>
constexpr std::uint64_t EnumLimit() {
  if constexpr (std::is_same_v<E, ast::ExprKind>)
    return static_cast<std::uint64_t>(ast::ExprKind::kIndex);
  if constexpr (std::is_same_v<E, ast::AttrArg::Kind>)
    return static_cast<std::uint64_t>(ast::AttrArg::Kind::kType);
  if constexpr (std::is_same_v<E, ast::TagType::Kind>)
    return static_cast<std::uint64_t>(ast::TagType::Kind::kEnum);
  if constexpr (std::is_same_v<E, ast::TypeSpec::Kind>) {
    return static_cast<std::uint64_t>(ast::TypeSpec::Kind::kSafeArray);
  }
  if constexpr (std::is_same_v<E, ast::Suffix::Kind>)
    return static_cast<std::uint64_t>(ast::Suffix::Kind::kFunction);
  if constexpr (std::is_same_v<E, ast::DefKind>)
    return static_cast<std::uint64_t>(ast::DefKind::kIgnored);
}

// One list of fields per node type, shared by the writer and the reader so
// the two can never disagree on the order. Every field of ast.h is here
// except Definition::resolved (the Loader fills it after loading).
template <typename A, typename T>
requires Is<T, ast::Expr>
void Fields(A& a, T& e) {
  a.Values(e.kind, e.loc, e.text, e.integer, e.operands, e.type, e.cast_pointers);
}
template <typename A, typename T>
requires Is<T, ast::AttrArg>
void Fields(A& a, T& e) { a.Values(e.kind, e.loc, e.text, e.expr, e.type, e.pointers); }
template <typename A, typename T>
requires Is<T, ast::Attribute>
void Fields(A& a, T& e) { a.Values(e.name, e.loc, e.has_parens, e.args); }
template <typename A, typename T>
requires Is<T, ast::Enumerator>
void Fields(A& a, T& e) { a.Values(e.attrs, e.name, e.loc, e.value); }
template <typename A, typename T>
requires Is<T, ast::TagType>
void Fields(A& a, T& e) {
  a.Values(e.kind, e.tag, e.loc, e.has_body, e.fields, e.arms, e.enumerators, e.encapsulated,
           e.switch_type, e.switch_name, e.switch_loc, e.union_name);
}
template <typename A, typename T>
requires Is<T, ast::TypeSpec>
void Fields(A& a, T& e) {
  a.Values(e.kind, e.loc, e.is_const, e.name, e.tag, e.element, e.element_pointers);
}
template <typename A, typename T>
requires Is<T, ast::Pointer>
void Fields(A& a, T& e) { a.Values(e.is_const); }
template <typename A, typename T>
requires Is<T, ast::Suffix>
void Fields(A& a, T& e) { a.Values(e.kind, e.loc, e.conformant, e.bound, e.params, e.varargs); }
template <typename A, typename T>
requires Is<T, ast::Declarator>
void Fields(A& a, T& e) { a.Values(e.name, e.loc, e.pointers, e.suffixes, e.inner, e.bit_width); }
template <typename A, typename T>
requires(Is<T, ast::Param> || Is<T, ast::Field>) void Fields(A& a, T& e) {
  a.Values(e.attrs, e.type, e.decl, e.loc);
}
template <typename A, typename T>
requires Is<T, ast::UnionArm>
void Fields(A& a, T& e) {
  a.Values(e.cases, e.is_default, e.has_labels, e.attrs, e.empty, e.type, e.decl, e.loc);
}
template <typename A, typename T>
requires Is<T, ast::CoclassMember>
void Fields(A& a, T& e) { a.Values(e.attrs, e.dispinterface, e.name, e.loc); }
template <typename A, typename T>
requires Is<T, ast::Definition>
void Fields(A& a, T& e) {
  a.Values(e.kind, e.loc, e.attrs, e.name, e.name_loc, e.strings, e.string_locs, e.forward, e.base,
           e.base_loc, e.items, e.properties, e.methods, e.disp_interface, e.members, e.type,
           e.declarators, e.value);
}

// The shapes the AST builder always produces and the analyzer relies on
// (a cast has its type, a binary expression two operands, ...). A crafted
// archive that breaks one is rejected instead of reaching the analyzer.
bool Valid(const ast::Expr& e) {
  for (const ast::ExprPtr& operand : e.operands) {
    if (!operand) return false;
  }
  std::size_t n = e.operands.size();
  switch (e.kind) {
    case ast::ExprKind::kTernary:
      return n == 3;
    case ast::ExprKind::kBinary:
    case ast::ExprKind::kIndex:
      return n == 2;
    case ast::ExprKind::kUnary:
    case ast::ExprKind::kMember:
      return n == 1;
    case ast::ExprKind::kCast:
      return n == 1 && e.type != nullptr;
    case ast::ExprKind::kSizeof:
      return n == 0 && e.type != nullptr;
    default:
      return n == 0;
  }
}
bool Valid(const ast::TypeSpec& t) {
  switch (t.kind) {
    case ast::TypeSpec::Kind::kTag:
      return t.tag != nullptr;
    case ast::TypeSpec::Kind::kPipe:
    case ast::TypeSpec::Kind::kSafeArray:
      return t.element != nullptr;
    default:
      return true;
  }
}
bool Valid(const ast::AttrArg& a) {
  if (a.kind == ast::AttrArg::Kind::kExpr) return a.expr != nullptr;
  if (a.kind == ast::AttrArg::Kind::kType) return a.type != nullptr;
  return true;
}
bool Valid(const ast::Suffix& s) {
  return s.kind != ast::Suffix::Kind::kArray || s.conformant || s.bound != nullptr;
}
bool Valid(const ast::TagType& t) { return !t.encapsulated || t.switch_type != nullptr; }
bool Valid(const ast::UnionArm& arm) {
  for (const ast::ExprPtr& label : arm.cases) {
    if (!label) return false;
  }
  return true;
}
bool Valid(const ast::Definition& d) {
  return d.kind != ast::DefKind::kConst || (d.value != nullptr && d.declarators.size() == 1);
}
template <typename T>
bool Valid(const T&) {
  return true;
}

class Writer {
 public:
  explicit Writer(const SourceManager& sources) : sources_(sources) {}

  template <typename... F>
  void Values(const F&... fields) {
    (Value(fields), ...);  // left to right
  }

  void Value(std::uint64_t v) {
    while (v >= 0x80) {
      body_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    body_ += static_cast<char>(v);
  }
  void Value(int v) {  // zigzag, so small negatives stay small
    std::int64_t wide = v;
    Value(static_cast<std::uint64_t>((wide << 1) ^ (wide >> 63)));
  }
  void Value(bool v) { body_ += v ? '\1' : '\0'; }
  void Value(const std::string& s) {
    Value(static_cast<std::uint64_t>(s.size()));
    body_ += s;
  }
  void Value(const Location& loc) {
    Value(FileIndex(loc.file));
    Value(loc.line);
    Value(loc.column);
  }
  template <typename E>
  requires std::is_enum_v<E>
  void Value(E e) { Value(static_cast<std::uint64_t>(e)); }
  template <typename T>
  void Value(const std::vector<T>& items) {
    Value(static_cast<std::uint64_t>(items.size()));
    for (const T& item : items) Value(item);
  }
  // 0: null; 2: a new node, its fields follow; 3 + n: the n-th node
  // written before (shared subtrees stay shared after reading).
  // Every node gets the next number, as the reader counts them; only nodes
  // with more than one owner are remembered -- one only this pointer owns
  // cannot come up again (mshtml.idl: 600,000 expression nodes, all unique).
  template <typename T>
  void Value(const std::shared_ptr<const T>& node) {
    if (!node) return Value(std::uint64_t{0});
    if (node.use_count() > 1) {
      auto [it, inserted] = shared_ids_.emplace(node.get(), next_id_);
      if (!inserted) return Value(std::uint64_t{3} + it->second);
    }
    ++next_id_;
    Value(std::uint64_t{2});
    Value(*node);
  }
  template <typename T>
  requires std::is_class_v<T>
  void Value(const T& node) { Fields(*this, node); }

  // The file table goes first so the reader can map locations as it reads.
  std::string Finish() {
    std::string body = std::move(body_);
    body_.assign(kMagic);
    Value(static_cast<std::uint64_t>(files_.size()));
    for (int id : files_) Value(sources_.Path(id));
    body_ += body;
    return std::move(body_);
  }

 private:
  // Every location asks, so by a table indexed by file id (ids are small
  // and dense: SourceManager numbers files from 0).
  std::uint64_t FileIndex(int id) {
    if (id < 0) return 0;
    auto slot = static_cast<std::size_t>(id);
    if (slot >= file_index_.size()) file_index_.resize(slot + 1, 0);
    if (file_index_[slot] == 0) {
      files_.push_back(id);
      file_index_[slot] = files_.size();
    }
    return file_index_[slot];
  }

  const SourceManager& sources_;
  std::string body_;
  std::vector<std::uint64_t> file_index_;  // by file id; 0: not yet in files_
  std::vector<int> files_;
  std::unordered_map<const void*, std::uint64_t> shared_ids_;
  std::uint64_t next_id_ = 0;
};

class Reader {
 public:
  Reader(std::string_view bytes, SourceManager& sources) : in_(bytes), sources_(sources) {}

  bool ReadHeader() {
    if (in_.substr(0, kMagic.size()) != kMagic) return Fail();
    in_.remove_prefix(kMagic.size());
    std::uint64_t count = Count();
    for (std::uint64_t i = 0; i < count && ok_; ++i) {
      std::string path;
      Value(path);
      if (ok_) file_map_.push_back(sources_.AddFile(path));
    }
    return ok_;
  }
  bool ok() const { return ok_; }

  template <typename... F>
  void Values(F&... fields) {
    (Value(fields), ...);  // left to right, as written
  }
  bool AtEnd() const { return in_.empty(); }

  void Value(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return static_cast<void>(Fail());
      auto byte = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return;
    }
    Fail();
  }
  void Value(int& v) {
    std::uint64_t raw = 0;
    Value(raw);
    auto wide = static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    if (wide < INT32_MIN || wide > INT32_MAX) return static_cast<void>(Fail());
    v = static_cast<int>(wide);
  }
  void Value(bool& v) {
    std::uint64_t raw = 0;
    Value(raw);
    if (raw > 1) Fail();
    v = raw == 1;
  }
  void Value(std::string& s) {
    std::uint64_t size = Count();
    if (!ok_) return;
    s.assign(in_.substr(0, size));
    in_.remove_prefix(size);
  }
  void Value(Location& loc) {
    std::uint64_t index = 0;
    Value(index);
    if (index > file_map_.size()) Fail();
    loc.file = index == 0 || !ok_ ? -1 : file_map_[index - 1];
    Value(loc.line);
    Value(loc.column);
  }
  template <typename E>
  requires std::is_enum_v<E>
  void Value(E& e) {
    std::uint64_t raw = 0;
    Value(raw);
    if (raw > EnumLimit<E>()) return static_cast<void>(Fail());
    e = static_cast<E>(raw);
  }
  template <typename T>
  void Value(std::vector<T>& items) {
    std::uint64_t count = Count();
    items.clear();
    // The count is only known not to exceed the bytes left; an element in
    // memory can be hundreds of times larger than its one byte, so a lying
    // count must not decide the allocation.
    items.reserve(std::min<std::uint64_t>(count, 64));
    for (std::uint64_t i = 0; i < count && ok_; ++i) Value(items.emplace_back());
  }
  template <typename T>
  void Value(std::shared_ptr<const T>& node) {
    std::uint64_t tag = 0;
    Value(tag);
    if (!ok_ || tag == 0) return;
    if (tag == 2) {
      std::size_t slot = shared_.size();
      shared_.push_back(Shared{&typeid(T), nullptr});
      auto fresh = std::make_shared<T>();
      Value(*fresh);
      shared_[slot].node = fresh;
      node = std::move(fresh);
      return;
    }
    if (tag == 1 || tag - 3 >= shared_.size()) return static_cast<void>(Fail());
    const Shared& earlier = shared_[tag - 3];
    // A reference must name a finished node of the same type.
    if (*earlier.type != typeid(T) || !earlier.node) return static_cast<void>(Fail());
    node = std::static_pointer_cast<const T>(earlier.node);
  }
  template <typename T>
  requires std::is_class_v<T>
  void Value(T& node) {
    if (++depth_ > kMaxDepth) Fail();
    if (ok_) Fields(*this, node);
    if (ok_ && !Valid(node)) Fail();
    --depth_;
  }

 private:
  struct Shared {
    const std::type_info* type;
    std::shared_ptr<const void> node;
  };

  bool Fail() {
    ok_ = false;
    in_ = {};
    return false;
  }
  // An element count or length: every element takes at least one byte, so
  // a count beyond the bytes left is a lie, caught before any allocation.
  std::uint64_t Count() {
    std::uint64_t count = 0;
    Value(count);
    if (count > in_.size()) {
      Fail();
      return 0;
    }
    return count;
  }

  std::string_view in_;
  SourceManager& sources_;
  bool ok_ = true;
  int depth_ = 0;
  std::vector<int> file_map_;
  std::vector<Shared> shared_;
};

}  // namespace

std::string WriteAstArchive(const ast::File& file, const SourceManager& sources) {
  Writer writer(sources);
  writer.Value(file.definitions);
  return writer.Finish();
}

bool ReadAstArchive(std::string_view bytes, SourceManager& sources, ast::File& out) {
  Reader reader(bytes, sources);
  if (!reader.ReadHeader()) return false;
  ast::Definitions definitions;
  reader.Value(definitions);
  if (!reader.ok() || !reader.AtEnd()) return false;
  out.definitions = std::move(definitions);
  return true;
}

}  // namespace alpaca::idl
