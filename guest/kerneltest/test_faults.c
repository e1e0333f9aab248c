#include "test.h"
const test_case_t fault_tests[] = {{NULL, NULL}};
