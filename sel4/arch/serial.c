/* COM1 16550 UART, polled output. */
#include "arch/serial.h"

#include "arch/cpu.h"

#define COM1 0x3F8
#define LSR 5
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xC7); /* FIFO on */
    outb(COM1 + 4, 0x03);
}

void serial_putc(char c)
{
    while (!(inb(COM1 + LSR) & LSR_THR_EMPTY)) {
    }
    outb(COM1, (u8)c);
}
