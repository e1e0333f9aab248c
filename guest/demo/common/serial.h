// Polled output on the COM1 16550 UART (I/O base 0x3F8).
#ifndef GUEST_DEMO_COMMON_SERIAL_H_
#define GUEST_DEMO_COMMON_SERIAL_H_

// Programs 8N1 at 115200 baud with FIFOs on and interrupts off.
void serial_init(void);

// Writes one byte, waiting until the transmit holding register is empty.
void serial_putc(char c);

#endif  // GUEST_DEMO_COMMON_SERIAL_H_
