#ifndef GUEST_LIBC_STRING_H
#define GUEST_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *text);
size_t strnlen(const char *text, size_t max_length);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *restrict dest, const char *restrict src, size_t n);
char *strchr(const char *text, int c);

#endif
