#include "test.h"
const test_case_t notification_tests[] = {{NULL, NULL}};
