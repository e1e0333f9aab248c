/* The benchmark's server: a thread that answers every Call on its endpoint
 * with the same message, in the root server's address space or in one of
 * its own. */
#ifndef GUEST_IPCBENCH_ECHO_SERVER_H
#define GUEST_IPCBENCH_ECHO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sel4/sel4.h>
#include <simple/simple.h>
#include <vka/vka.h>
#include <vspace/vspace.h>

typedef struct echo_server {
    seL4_CPtr endpoint; /* the client's capability to the server's endpoint */
    seL4_CPtr tcb;
} echo_server_t;

/* Creates and starts an echo server at `priority` on the stack
 * [stack, stack + stack_bytes), 16-byte aligned. With `own_space` it runs in
 * a new VSpace (the root server's image frames mapped at the same addresses)
 * and a new CSpace holding only its endpoint; otherwise it shares the root
 * server's. `root_vspace` manages free virtual memory of the root server.
 * Returns 0 or an seL4 error. */
int echo_server_start(vka_t *vka, simple_t *simple, vspace_t *root_vspace,
                      bool own_space, seL4_Word priority, uint64_t *stack,
                      size_t stack_bytes, echo_server_t *result);

#endif
