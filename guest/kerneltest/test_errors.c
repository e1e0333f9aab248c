#include "test.h"
const test_case_t error_tests[] = {{NULL, NULL}};
