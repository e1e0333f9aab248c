#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

void serial_init(void);
void serial_putc(char c);

#endif
