// Core cycles from the TSC on a machine without performance counters.
//
// RDTSC ticks at a constant rate that is not the core clock (and in a VM
// nothing else counts cycles). A chain of dependent one-cycle ADDs runs for
// a known number of core cycles, so its TSC ticks give cycles per tick.
#ifndef BENCH_ACCURACY_TSC_CALIBRATION_H_
#define BENCH_ACCURACY_TSC_CALIBRATION_H_

#include <cstdint>

namespace accuracy {

// RDTSC fenced on both sides, so it neither starts early nor reads late.
uint64_t ReadTsc();

// Core cycles per TSC tick: the fastest of `runs` runs of `iterations` of
// kernel_calibrate_adds (64 dependent ADDs per iteration, one a cycle).
double CalibrateCyclesPerTick(int runs = 5, uint64_t iterations = 16384);

// Keeps the core busy for about `ticks` TSC ticks, so that its clock has
// ramped up before anything is measured.
void SpinFor(uint64_t ticks);

}  // namespace accuracy

#endif  // BENCH_ACCURACY_TSC_CALIBRATION_H_
