#include "sim/gdb_target_xml.h"

#include "absl/strings/str_format.h"

namespace x64sim {
namespace {

struct RegisterInfo {
  const char* name;
  int bits;
  const char* type;
};

// In protocol order; the features below take consecutive runs of it.
constexpr RegisterInfo kRegisters[kGdbRegisterCount] = {
    {"rax", 64, "int64"}, {"rbx", 64, "int64"}, {"rcx", 64, "int64"}, {"rdx", 64, "int64"},
    {"rsi", 64, "int64"}, {"rdi", 64, "int64"}, {"rbp", 64, "data_ptr"}, {"rsp", 64, "data_ptr"},
    {"r8", 64, "int64"},  {"r9", 64, "int64"},  {"r10", 64, "int64"}, {"r11", 64, "int64"},
    {"r12", 64, "int64"}, {"r13", 64, "int64"}, {"r14", 64, "int64"}, {"r15", 64, "int64"},
    {"rip", 64, "code_ptr"}, {"eflags", 32, "x64sim_eflags"},
    {"cs", 32, "int32"}, {"ss", 32, "int32"}, {"ds", 32, "int32"},
    {"es", 32, "int32"}, {"fs", 32, "int32"}, {"gs", 32, "int32"},
    {"st0", 80, "i387_ext"}, {"st1", 80, "i387_ext"}, {"st2", 80, "i387_ext"},
    {"st3", 80, "i387_ext"}, {"st4", 80, "i387_ext"}, {"st5", 80, "i387_ext"},
    {"st6", 80, "i387_ext"}, {"st7", 80, "i387_ext"},
    {"fctrl", 32, "int"}, {"fstat", 32, "int"}, {"ftag", 32, "int"}, {"fiseg", 32, "int"},
    {"fioff", 32, "int"}, {"foseg", 32, "int"}, {"fooff", 32, "int"}, {"fop", 32, "int"},
    {"xmm0", 128, "vec128"},  {"xmm1", 128, "vec128"},  {"xmm2", 128, "vec128"},
    {"xmm3", 128, "vec128"},  {"xmm4", 128, "vec128"},  {"xmm5", 128, "vec128"},
    {"xmm6", 128, "vec128"},  {"xmm7", 128, "vec128"},  {"xmm8", 128, "vec128"},
    {"xmm9", 128, "vec128"},  {"xmm10", 128, "vec128"}, {"xmm11", 128, "vec128"},
    {"xmm12", 128, "vec128"}, {"xmm13", 128, "vec128"}, {"xmm14", 128, "vec128"},
    {"xmm15", 128, "vec128"}, {"mxcsr", 32, "int"},
    {"fs_base", 64, "int64"}, {"gs_base", 64, "int64"},
    {"cr0", 64, "int64"}, {"cr2", 64, "data_ptr"}, {"cr3", 64, "int64"},
    {"cr4", 64, "int64"}, {"cr8", 64, "int64"}, {"efer", 64, "int64"},
};

struct Feature {
  const char* name;
  int first;
  int end;
  const char* types;  // type definitions the feature's registers use
};

// RFLAGS bit names (SDM vol. 1 3.4.3).
constexpr char kEflagsType[] = R"(
  <flags id="x64sim_eflags" size="4">
    <field name="CF" start="0" end="0"/> <field name="" start="1" end="1"/>
    <field name="PF" start="2" end="2"/> <field name="AF" start="4" end="4"/>
    <field name="ZF" start="6" end="6"/> <field name="SF" start="7" end="7"/>
    <field name="TF" start="8" end="8"/> <field name="IF" start="9" end="9"/>
    <field name="DF" start="10" end="10"/> <field name="OF" start="11" end="11"/>
    <field name="NT" start="14" end="14"/> <field name="RF" start="16" end="16"/>
    <field name="VM" start="17" end="17"/> <field name="AC" start="18" end="18"/>
    <field name="VIF" start="19" end="19"/> <field name="VIP" start="20" end="20"/>
    <field name="ID" start="21" end="21"/>
  </flags>)";

// One XMM register seen as each lane width gdb can print.
constexpr char kVectorTypes[] = R"(
  <vector id="x64sim_v4f" type="ieee_single" count="4"/>
  <vector id="x64sim_v2d" type="ieee_double" count="2"/>
  <vector id="x64sim_v16i8" type="int8" count="16"/>
  <vector id="x64sim_v8i16" type="int16" count="8"/>
  <vector id="x64sim_v4i32" type="int32" count="4"/>
  <vector id="x64sim_v2i64" type="int64" count="2"/>
  <union id="vec128">
    <field name="v4_float" type="x64sim_v4f"/>
    <field name="v2_double" type="x64sim_v2d"/>
    <field name="v16_int8" type="x64sim_v16i8"/>
    <field name="v8_int16" type="x64sim_v8i16"/>
    <field name="v4_int32" type="x64sim_v4i32"/>
    <field name="v2_int64" type="x64sim_v2i64"/>
    <field name="uint128" type="uint128"/>
  </union>)";

constexpr Feature kFeatures[] = {
    {"org.gnu.gdb.i386.core", kGdbRax, kGdbXmm0, kEflagsType},
    {"org.gnu.gdb.i386.sse", kGdbXmm0, kGdbFsBase, kVectorTypes},
    {"org.gnu.gdb.i386.segments", kGdbFsBase, kGdbCr0, ""},
    {"org.x64sim.system", kGdbCr0, kGdbRegisterCount, ""},
};

std::string BuildTargetXml() {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
      "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n";
  for (const Feature& f : kFeatures) {
    absl::StrAppendFormat(&xml, "<feature name=\"%s\">%s\n", f.name, f.types);
    for (int n = f.first; n < f.end; ++n) {
      const RegisterInfo& r = kRegisters[n];
      absl::StrAppendFormat(&xml, "  <reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%d\"/>\n",
                            r.name, r.bits, r.type, n);
    }
    xml += "</feature>\n";
  }
  xml += "</target>\n";
  return xml;
}

}  // namespace

int GdbRegisterSize(int n) { return n >= 0 && n < kGdbRegisterCount ? kRegisters[n].bits / 8 : 0; }

const std::string& GdbTargetXml() {
  static const std::string* const xml = new std::string(BuildTargetXml());
  return *xml;
}

}  // namespace x64sim
