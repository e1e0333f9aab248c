// The generated timing lines of uarch/skylake.uarch, zen4.uarch and zen5.uarch:
// exactly one well-formed `form` line per implemented form, none for forms
// x64sim does not implement, and only port groups the file's header lists.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "uarch/implemented_forms.h"

namespace x64sim {
namespace {

struct FormLines {
  std::map<std::string, int> count;  // key -> number of `form` lines
  std::vector<std::string> malformed;
  std::set<std::string> groups_used;
  std::set<std::string> groups_listed;  // from the `# port groups used:` line
};

// form KEY : lat=L tput=T uops=U ports=SPEC [TAG]  (# comment)
const std::regex& FormLine() {
  static const std::regex re(
      R"(^form (.+?) : lat=\d+ tput=\d+(\.\d+)? uops=\d+ )"
      R"(ports=(-|\d+\*\w+(\+\d+\*\w+)*) \[[\w.-]+\]( +#.*)?$)");
  return re;
}

FormLines Read(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  FormLines lines;
  std::string line;
  const std::string kGroupsHeader = "# port groups used: ";
  while (std::getline(in, line)) {
    if (line.rfind(kGroupsHeader, 0) == 0) {
      std::istringstream groups(line.substr(kGroupsHeader.size()));
      std::string entry;
      while (groups >> entry) lines.groups_listed.insert(entry.substr(0, entry.find('=')));
      continue;
    }
    if (line.rfind("form ", 0) != 0) continue;
    std::smatch m;
    if (!std::regex_match(line, m, FormLine())) {
      lines.malformed.push_back(line);
      continue;
    }
    ++lines.count[m[1].str()];
    std::string spec = line.substr(line.find(" ports=") + 7);
    spec = spec.substr(0, spec.find(' '));
    if (spec == "-") continue;
    std::istringstream terms(spec);
    std::string term;
    while (std::getline(terms, term, '+')) {
      lines.groups_used.insert(term.substr(term.find('*') + 1));
    }
  }
  return lines;
}

void CheckCoverage(const std::string& path) {
  FormLines lines = Read(path);
  EXPECT_TRUE(lines.malformed.empty()) << path << ": first malformed line: " << lines.malformed[0];
  std::set<std::string> implemented;
  for (const ImplementedForm& f : ImplementedForms()) {
    implemented.insert(f.key);
    EXPECT_EQ(lines.count[f.key], 1) << path << ": form lines for " << f.key;
  }
  for (const auto& [key, n] : lines.count) {
    EXPECT_TRUE(implemented.count(key)) << path << ": line for a form x64sim lacks: " << key;
  }
  EXPECT_FALSE(lines.groups_listed.empty()) << path << ": no `# port groups used:` line";
  for (const std::string& group : lines.groups_used) {
    EXPECT_TRUE(lines.groups_listed.count(group)) << path << ": port group not listed: " << group;
  }
}

TEST(FormsCoverageTest, Skylake) { CheckCoverage("uarch/skylake.uarch"); }

TEST(FormsCoverageTest, Zen4) { CheckCoverage("uarch/zen4.uarch"); }

TEST(FormsCoverageTest, Zen5) { CheckCoverage("uarch/zen5.uarch"); }

TEST(FormsCoverageTest, LineSyntax) {
  EXPECT_TRUE(std::regex_match(
      std::string("form ADD r64,m64 : lat=1 tput=0.5 uops=2 ports=1*p0156+1*p23 [llvm14-skl]"),
      FormLine()));
  EXPECT_TRUE(std::regex_match(
      std::string("form NOP : lat=0 tput=0.25 uops=0 ports=- [uops.info]  # eliminated"),
      FormLine()));
  EXPECT_FALSE(std::regex_match(std::string("form NOP : lat=0 tput=0.25 uops=0 ports=-"),
                                FormLine()));  // no tag
  EXPECT_FALSE(std::regex_match(
      std::string("form ADD r64,r64 : lat=1 tput=0.25 uops=1 ports=p0156 [llvm14-skl]"),
      FormLine()));  // no count
}

}  // namespace
}  // namespace x64sim
