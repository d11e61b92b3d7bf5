#include "idlc/gen/signatures.h"

#include "idlc/gen/codec_emitter.h"

namespace alpaca::idl::gen {
namespace {

const Shape& Value(const ParamPlan& p) {
  const Shape* s = p.shape.get();
  if (s->kind == ShapeKind::kPointer && s->pointer == PointerKind::kRef && !s->boxed) {
    s = s->target.get();
  }
  return *s;
}

bool ByValue(const ParamPlan& p) { return !p.out && CodecEmitter::IsValueShape(Value(p)); }

}  // namespace

bool IsContext(const ParamPlan& p) { return Value(p).kind == ShapeKind::kContextHandle; }
bool IsBindingHandle(const ParamPlan& p) { return Value(p).kind == ShapeKind::kHandle; }

std::string ParamValueType(const ParamPlan& p) { return Value(p).cpp; }

bool InCodec(const ParamPlan& p, CodecFunction f) {
  if (IsBindingHandle(p)) return false;
  switch (f) {
    case CodecFunction::kEncodeIn:
    case CodecFunction::kDecodeIn:
      return p.in && !p.derived;
    case CodecFunction::kEncodeOut:
    case CodecFunction::kDecodeOut:
      return !p.derived;
  }
  return false;
}

std::string CodecParams(const MethodPlan& m, CodecFunction f, const std::set<std::string>* used) {
  auto spelled = [used](const std::string& name) {
    return used == nullptr || used->contains(name) ? name : "/*" + name + "*/";
  };
  bool encode = f == CodecFunction::kEncodeIn || f == CodecFunction::kEncodeOut;
  std::string out =
      encode ? "alpaca::ndr::Encoder& " + spelled("e") : "alpaca::ndr::Decoder& " + spelled("d");
  for (const ParamPlan& p : m.params) {
    if (!InCodec(p, f)) continue;
    std::string type = IsContext(p) ? "alpaca::ndr::ContextHandle" : ParamValueType(p);
    bool writable = (f == CodecFunction::kDecodeIn) || (f == CodecFunction::kDecodeOut && p.out);
    if (writable) {
      out += ", " + type + "& " + spelled(p.name);
    } else if (ByValue(p)) {
      out += ", " + type + " " + spelled(p.name);
    } else {
      out += ", const " + type + "& " + spelled(p.name);
    }
  }
  if ((f == CodecFunction::kEncodeOut || f == CodecFunction::kDecodeOut) && m.result) {
    out += f == CodecFunction::kEncodeOut ? ", " + m.result->cpp + " result"
                                          : ", " + m.result->cpp + "& result";
  }
  return out;
}

bool InUserApi(const ParamPlan& p, const MethodPlan& m) {
  if (IsBindingHandle(p) || p.derived) return false;
  return !(m.retval >= 0 && &m.params[static_cast<std::size_t>(m.retval)] == &p);
}

std::string UserParams(const MethodPlan& m, Side side, ParamNames names) {
  std::string out;
  for (const ParamPlan& p : m.params) {
    if (!InUserApi(p, m)) continue;
    if (!out.empty()) out += ", ";
    std::string type = ParamValueType(p);
    if (IsContext(p) && side == Side::kServer) type = "alpaca::rpc::ServerContext";
    const std::string& name = names == ParamNames::kIdl ? p.user_name : p.name;
    if (p.out) {
      out += type + "& " + name;
    } else if (ByValue(p)) {
      out += type + " " + name;
    } else {
      out += "const " + type + "& " + name;
    }
  }
  return out;
}

std::string UserResult(const MethodPlan& m) {
  if (m.retval >= 0) return ParamValueType(m.params[static_cast<std::size_t>(m.retval)]);
  if (m.result) return m.result->cpp;
  return "void";
}

}  // namespace alpaca::idl::gen
