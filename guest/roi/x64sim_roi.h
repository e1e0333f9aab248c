// Marks the region of interest of a guest for x64sim (docs/timing.md).
//
// Each marker is a NOP with an unusual memory operand, so the same binary
// runs unchanged, and costs a NOP, on real hardware and in other
// simulators. x64sim recognises it at decode time: with --fast-forward it
// runs functionally until x64sim_roi_begin() and times from there; the
// stats report gives the region's cycles and instructions.
#ifndef X64SIM_GUEST_ROI_X64SIM_ROI_H_
#define X64SIM_GUEST_ROI_X64SIM_ROI_H_

// NOP DWORD PTR [RAX + 0x58530001] / [RAX + 0x58530002]: 0F 1F 80 disp32.
static inline void x64sim_roi_begin(void) { __asm__ volatile(".byte 0x0f, 0x1f, 0x80; .long 0x58530001" ::: "memory"); }
static inline void x64sim_roi_end(void) { __asm__ volatile(".byte 0x0f, 0x1f, 0x80; .long 0x58530002" ::: "memory"); }

// NOP DWORD PTR [RAX + 0x58530004]: run with --checkpoint=FILE and no
// --checkpoint-at, x64sim writes its checkpoint right after this marker
// (docs/checkpoints.md); otherwise nothing happens.
static inline void x64sim_checkpoint(void) { __asm__ volatile(".byte 0x0f, 0x1f, 0x80; .long 0x58530004" ::: "memory"); }

#endif  // X64SIM_GUEST_ROI_X64SIM_ROI_H_
