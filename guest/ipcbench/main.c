/*
 * IPC benchmark root server: round trips of seL4_Call against an echo
 * server's seL4_ReplyRecv, timed with the time-stamp counter (simulated
 * cycles in x64sim) and, where the CPU has one, the retired-instruction
 * counter. It measures every combination of
 *   message length:  0 or 4 words (all in registers),
 *   address space:   server in the client's address space or in its own,
 *   kernel path:     the Call/ReplyRecv fastpath on, or forced off,
 * and prints one parseable line per combination:
 *   ipcbench: space=same path=fast words=0 rounds=N cycles=C cycles_per_rt=X.YY instructions=I instructions_per_rt=Y.ZZ
 * (instructions=- when the CPU has no counter), then "ipcbench: done".
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <allocman/allocman.h>
#include <sel4/sel4.h>
#include <sel4platsupport/bootinfo.h>
#include <sel4utils/sel4_zf_logif.h>
#include <simple/simple.h>
#include <utils/util.h>
#include <utils/zf_log.h>
#include <vka/object.h>
#include <vspace/vspace.h>

#include "counters.h"
#include "guest/roi/x64sim_roi.h"
#include "echo_server.h"

#define WARMUP_ROUNDS 100
#define MEASURED_ROUNDS 1000

/* The root server's free virtual memory for the servers' IPC buffers. */
#define ROOT_VSPACE_START 0x10000000ul
#define ROOT_VSPACE_END 0x20000000ul

#define SERVER_STACK_WORDS 1024

static simple_t simple;
static vka_t vka;
static vspace_t root_vspace;
static char allocator_pool[BIT(seL4_PageBits) * 4] __attribute__((aligned(16)));
static uint64_t same_space_stack[SERVER_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t own_space_stack[SERVER_STACK_WORDS] __attribute__((aligned(16)));

struct measurement {
    uint64_t cycles;
    uint64_t instructions;
    bool echoed; /* every reply had the message's length and words */
};

/* `rounds` Calls of `words` message words to `endpoint`. */
static struct measurement call_rounds(seL4_CPtr endpoint, seL4_Word words,
                                      int rounds, bool count_instructions) {
    const seL4_MessageInfo_t info = seL4_MessageInfo_new(0, 0, 0, words);
    struct measurement result = {.echoed = true};
    /* The cycle window encloses the instruction window, so neither counts
     * the other's reads and instructions never exceed cycles at 1 IPC. */
    uint64_t start_cycles = read_cycles();
    uint64_t start_instructions = count_instructions ? read_instructions() : 0;
    for (int i = 0; i < rounds; i++) {
        seL4_Word mr0 = 0x10 + i, mr1 = 0x20 + i, mr2 = 0x30 + i, mr3 = 0x40 + i;
        seL4_MessageInfo_t reply = seL4_CallWithMRs(endpoint, info, &mr0, &mr1, &mr2, &mr3);
        if (seL4_MessageInfo_get_length(reply) != words ||
            (words == 4 && (mr0 != 0x10ul + i || mr3 != 0x40ul + i))) {
            result.echoed = false;
        }
    }
    result.instructions = count_instructions ? read_instructions() - start_instructions : 0;
    result.cycles = read_cycles() - start_cycles;
    return result;
}

/* Prints `total / rounds` with two decimals. */
static void print_per_round(const char *name, uint64_t total, int rounds) {
    uint64_t hundredths = total * 100 / (uint64_t)rounds;
    printf(" %s=%lu.%02lu", name, (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100));
}

static void measure(const char *space, seL4_CPtr endpoint, bool fastpath,
                    seL4_Word words, bool count_instructions) {
    seL4_X64sim_SetFastpath(fastpath);
    call_rounds(endpoint, words, WARMUP_ROUNDS, count_instructions);
    /* The timed rounds are x64sim's region of interest: its stats split them
     * by privilege level and event (bench/ipc_roundtrip). A NOP elsewhere. */
    x64sim_roi_begin();
    struct measurement m = call_rounds(endpoint, words, MEASURED_ROUNDS, count_instructions);
    x64sim_roi_end();
    printf("ipcbench: space=%s path=%s words=%lu rounds=%d cycles=%lu", space,
           fastpath ? "fast" : "slow", (unsigned long)words, MEASURED_ROUNDS,
           (unsigned long)m.cycles);
    print_per_round("cycles_per_rt", m.cycles, MEASURED_ROUNDS);
    if (count_instructions) {
        printf(" instructions=%lu", (unsigned long)m.instructions);
        print_per_round("instructions_per_rt", m.instructions, MEASURED_ROUNDS);
    } else {
        printf(" instructions=- instructions_per_rt=-");
    }
    printf("%s\n", m.echoed ? "" : " ERROR=reply-mismatch");
}

int main(void) {
    zf_log_set_tag_prefix("ipcbench:");
    seL4_BootInfo *info = platsupport_get_bootinfo();
    simple_default_init_bootinfo(&simple, info);
    allocman_t *allocman =
        bootstrap_use_current_simple(&simple, sizeof(allocator_pool), allocator_pool);
    ZF_LOGF_IF(allocman == NULL, "Failed to initialize the allocator.");
    allocman_make_vka(&vka, allocman);
    vspace_init(&root_vspace, &vka, simple_get_pd(&simple), ROOT_VSPACE_START,
                ROOT_VSPACE_END);

    /* The servers run at the client's priority, as the fastpath requires. */
    echo_server_t same_space, own_space;
    int error = echo_server_start(&vka, &simple, &root_vspace, false, seL4_MaxPrio,
                                  same_space_stack, sizeof(same_space_stack),
                                  &same_space);
    ZF_LOGF_IFERR(error, "Failed to start the server in the root's address space.");
    error = echo_server_start(&vka, &simple, &root_vspace, true, seL4_MaxPrio,
                              own_space_stack, sizeof(own_space_stack), &own_space);
    ZF_LOGF_IFERR(error, "Failed to start the server in its own address space.");

    bool count_instructions = instruction_counter_available();
    printf("ipcbench: warmup=%d rounds=%d instruction_counter=%s\n", WARMUP_ROUNDS,
           MEASURED_ROUNDS, count_instructions ? "yes" : "no");
    static const seL4_Word message_words[] = {0, 4};
    for (int fast = 1; fast >= 0; fast--) {
        for (size_t w = 0; w < ARRAY_SIZE(message_words); w++) {
            measure("same", same_space.endpoint, fast, message_words[w], count_instructions);
            measure("other", own_space.endpoint, fast, message_words[w], count_instructions);
        }
    }
    seL4_X64sim_SetFastpath(true);
    printf("ipcbench: done\n");
    return 0;
}
