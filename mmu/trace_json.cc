#include "mmu/trace_json.h"

#include <cctype>
#include <cstdlib>

#include "absl/status/status.h"

namespace x64sim {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue v;
    if (!ParseValue(&v)) return Error();
    SkipSpace();
    if (pos_ != text_.size()) return Error();
    return v;
  }

 private:
  absl::Status Error() const {
    return absl::InvalidArgumentError("malformed JSON at offset " + std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool ParseString(std::string* out) {
    if (!Consume('"')) return false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': {  // the traces only escape ASCII; keep the low byte
          if (pos_ + 4 > text_.size()) return false;
          out->push_back(static_cast<char>(std::strtoul(std::string(text_.substr(pos_, 4)).c_str(), nullptr, 16)));
          pos_ += 4;
          break;
        }
        default: out->push_back(e); break;
      }
    }
    return false;
  }

  bool ParseValue(JsonValue* v) {
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      v->type = JsonValue::Type::kObject;
      if (Consume('}')) return true;
      do {
        std::string name;
        JsonValue field;
        if (!ParseString(&name) || !Consume(':') || !ParseValue(&field)) return false;
        v->fields.emplace_back(std::move(name), std::move(field));
      } while (Consume(','));
      return Consume('}');
    }
    if (c == '[') {
      ++pos_;
      v->type = JsonValue::Type::kArray;
      if (Consume(']')) return true;
      do {
        JsonValue item;
        if (!ParseValue(&item)) return false;
        v->items.push_back(std::move(item));
      } while (Consume(','));
      return Consume(']');
    }
    if (c == '"') {
      v->type = JsonValue::Type::kString;
      return ParseString(&v->text);
    }
    if (ConsumeWord("true")) {
      v->type = JsonValue::Type::kBool;
      v->boolean = true;
      return true;
    }
    if (ConsumeWord("false")) {
      v->type = JsonValue::Type::kBool;
      return true;
    }
    if (ConsumeWord("null")) return true;
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '-' || text_[pos_] == '+' ||
                                   text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
    }
    if (pos_ == start) return false;
    v->type = JsonValue::Type::kNumber;
    v->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string JsonValue::String(std::string_view name, std::string fallback) const {
  const JsonValue* v = Find(name);
  return v && v->type == Type::kString ? v->text : fallback;
}

uint64_t JsonValue::Hex(std::string_view name, uint64_t fallback) const {
  const JsonValue* v = Find(name);
  if (!v || v->type != Type::kString) return fallback;
  char* end = nullptr;
  const uint64_t value = std::strtoull(v->text.c_str(), &end, 16);
  return end && *end == '\0' && !v->text.empty() ? value : fallback;
}

uint64_t JsonValue::Unsigned(std::string_view name, uint64_t fallback) const {
  const JsonValue* v = Find(name);
  if (!v || v->type != Type::kNumber) return fallback;
  char* end = nullptr;
  const uint64_t value = std::strtoull(v->text.c_str(), &end, 10);
  return end && *end == '\0' ? value : fallback;
}

absl::StatusOr<JsonValue> ParseJson(std::string_view text) { return Parser(text).ParseDocument(); }

}  // namespace x64sim
