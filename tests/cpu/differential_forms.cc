#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {

std::vector<RegPair> RegPairs(int size) {
  if (size == 1) {
    return {{{0, 1}, {1, 1}, "low"},
            {{0, 1, true}, {3, 1, true}, "high"},
            {{6, 1}, {9, 1}, "rex"},
            {{2, 1}, {2, 1}, "same"}};
  }
  return {{{0, size}, {1, size}, "low"},
          {{9, size}, {14, size}, "ext"},
          {{2, size}, {2, size}, "same"}};
}

std::vector<std::pair<Reg, const char*>> MemSideRegs(int size) {
  if (size == 1) return {{{1, 1}, "low"}, {{2, 1, true}, "high"}, {{7, 1}, "rex"}};
  return {{{1, size}, "low"}, {{14, size}, "ext"}};
}

std::vector<uint64_t> OperandValues(Values& v, int size, int random) {
  std::vector<uint64_t> out = Values::Edges(size);
  for (int i = 0; i < random; ++i) out.push_back(v.Random(size));
  return out;
}

bool RunPairs(Differential& d, const std::string& form, const std::vector<uint8_t>& code,
              const Place& dst, const Place* src, int size, const Expect& expect,
              bool both_carries, int random_pairs, bool all_edge_pairs) {
  d.machine.SetCode(code);
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  std::vector<uint64_t> edges = Values::Edges(size);
  for (size_t i = 0; i < edges.size(); ++i) {
    if (!all_edge_pairs) {
      pairs.push_back({edges[i], edges[(i * 5 + 3) % edges.size()]});
      continue;
    }
    for (uint64_t b : edges) pairs.push_back({edges[i], b});
  }
  for (int i = 0; i < random_pairs; ++i) {
    pairs.push_back({d.values.Random(size), d.values.Random(size)});
  }
  const bool same = src != nullptr && !dst.is_mem && !src->is_mem &&
                    dst.reg.num == src->reg.num && dst.reg.high == src->reg.high;
  for (auto [a, b] : pairs) {
    if (same && a != b) continue;
    for (int carry = 0; carry < (both_carries ? 2 : 1); ++carry) {
      MachineState s = d.Fresh();
      if (both_carries) s.rflags = (s.rflags & ~kCF) | (carry ? kCF : 0);
      Put(s, dst, a, size, d.values);
      if (src != nullptr && !same) Put(s, *src, b, size, d.values);
      if (!d.checker.Check(form, s, expect)) return false;
    }
  }
  return true;
}

std::string FormName(const std::string& text, const std::string& kind) {
  std::string name = kind.empty() ? text : text + " " + kind;
  // A register or memory operand is part of the form; the register class
  // (low, high byte, REX, extended, same register twice) is a variant of it.
  std::string first_word = kind.substr(0, kind.find(' '));
  CountForm(name, first_word == "reg" || first_word == "mem" ? text + " " + first_word : text);
  return name;
}

}  // namespace x64sim::testing
