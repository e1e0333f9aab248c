#include "test.h"
const test_case_t cnode_tests[] = {{NULL, NULL}};
