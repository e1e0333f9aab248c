#!/usr/bin/env python3
"""Writes the hand-made seed inputs of tests/fuzz/corpus/ (deterministic).

Run from the repository root after changing an input format:
  python3 tests/fuzz/make_seeds.py
Inputs found by fuzzing are added to the corpus directories by hand, named
after what they found (docs/robustness.md), and never regenerated.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


# ---- executor: header then code (executor_fuzzer.cc) -----------------------
MODES = {"long64": 0, "compat32": 8, "legacy_pae": 11, "legacy_flat": 13,
         "protected16": 14, "real": 15}


def executor_input(mode, code, cpl=0, timed=0, control=0, pointers=True, rflags=None):
    h = bytes([timed, MODES[mode], cpl, control])
    if rflags is None:
        rflags = 0x202 if cpl == 0 else 0x2
    h += struct.pack("<I", rflags)
    h += b"\0\0" * 6                           # default page permissions
    for i in range(16):                        # half the registers are pointers
        h += bytes([1 if pointers and i % 2 else 0]) + struct.pack("<Q", 0x100 * i)
    h += bytes(range(128))                     # XMM0-7
    return h + code


CODE64 = {
    "arith": bytes.fromhex("4801c8 4829d3 480fafc1 48f7f1 48d1e0 0fa2 0f31"),
    "memory": bytes.fromhex("488b03 48890b 50 5b ff33 8f03 f3a4 f3ab"),
    "control": bytes.fromhex("e800000000 c3 eb00 74fe 0f05 cc 0f0b"),
    "system": bytes.fromhex("0f20d8 0f22d8 0f0138 0f01f8 0f32 0f30 fa fb cf"),
    "sse": bytes.fromhex("660fefc0 0f2803 0f2903 660f3a22c000 f20f12c1 660f38f6c1"),
}
for name, code in CODE64.items():
    write("executor_fuzzer", "long64_" + name, executor_input("long64", code))
    write("executor_fuzzer", "long64_user_" + name, executor_input("long64", code, cpl=1))
    write("executor_fuzzer", "long64_timed_" + name, executor_input("long64", code, timed=1))
for mode in ("compat32", "legacy_pae", "legacy_flat", "protected16", "real"):
    write("executor_fuzzer", mode, executor_input(mode, bytes.fromhex("8b03 01c8 50 5b cd80 0f0b")))
write("executor_fuzzer", "long64_smap_smep", executor_input("long64", CODE64["memory"], control=0x6))
# CR0.AM (control bit 5) with EFLAGS.AC at CPL 3: alignment checking, and a
# misaligned load (mov rax, [rbx + 1]; push qword [rbx + 1]; ud2).
write("executor_fuzzer", "long64_user_alignment_check",
      executor_input("long64", bytes.fromhex("488b4301 ff7301 0f0b"), cpl=1, control=0x20,
                     rflags=0x40002))


# ---- differential: registers, flags, then 5 bytes an instruction ----------
def differential_input(instructions, flags=0x01):
    regs = b"".join(struct.pack("<Q", (0x0123456789ABCDEF * (i + 1)) & (2**64 - 1)) for i in range(16))
    return regs + bytes([flags]) + b"".join(bytes(i) for i in instructions)


# [form, size, reg a, reg b, imm]; forms index Menu() in differential_fuzzer.cc.
write("differential_fuzzer", "alu_chain", differential_input(
    [[0, 3, 0, 1, 0x00], [1, 2, 2, 3, 0x13], [2, 3, 4, 0, 0x29], [12, 3, 5, 6, 0x0c]]))
write("differential_fuzzer", "memory_forms", differential_input(
    [[4, 3, 0, 0, 0x88], [5, 1, 1, 0, 0x90], [6, 0, 2, 0, 0xa0], [7, 2, 3, 0, 0x81]]))
write("differential_fuzzer", "flags_readers", differential_input(
    [[3, 3, 0, 1, 0x00], [12, 3, 2, 3, 0x05], [13, 0, 4, 0, 0x0e], [9, 2, 5, 0, 0x03]]))
write("differential_fuzzer", "every_form", differential_input(
    [[f, f % 4, f % 14, (f * 5) % 14, f * 37 % 256] for f in range(17)]))


# ---- kernel: [seed: 8] [flags: 1] ------------------------------------------
write("kernel_fuzzer", "seed_1", struct.pack("<QB", 1, 0))
write("kernel_fuzzer", "seed_1_slowpath", struct.pack("<QB", 1, 1))
write("kernel_fuzzer", "seed_large", struct.pack("<QB", 0x9E3779B97F4A7C15, 0))


# ---- loader: [modules][cmdline][kernel] (loader_fuzzer.cc) -----------------
MB_MAGIC = 0x1BADB002


def mb_header(flags, fields=b""):
    return struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF) + fields


def elf32(entry, paddr, body):
    ehdr = struct.pack("<4sBBBB8sHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, b"\0" * 8,
                       2, 3, 1, entry, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0x54, paddr, paddr, len(body), len(body) + 64, 7, 4)
    return ehdr + phdr + body


def elf64(entry, paddr, body):
    ehdr = struct.pack("<4sBBBB8sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, b"\0" * 8,
                       2, 62, 1, entry, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 7, 0x78, paddr, paddr, len(body), len(body) + 64, 8)
    return ehdr + phdr + body


def loader_input(kernel, cmdline=b"kernel", modules=()):
    out = bytes([len(modules)])
    for data, line in modules:
        out += struct.pack("<H", len(data)) + data + struct.pack("<H", len(line)) + line
    return out + struct.pack("<H", len(cmdline)) + cmdline + kernel


body = mb_header(0x3) + bytes.fromhex("f4") * 16
write("loader_fuzzer", "elf32", loader_input(elf32(0x100000, 0x100000, body)))
write("loader_fuzzer", "elf64", loader_input(elf64(0x100000, 0x100000, body)))
write("loader_fuzzer", "elf32_modules",
      loader_input(elf32(0x100000, 0x100000, body), modules=[(b"module one", b"one arg"),
                                                            (b"\x7fELF" + bytes(60), b"two")]))
aout_fields = struct.pack("<IIIII", 0x100000, 0x100000, 0, 0x101000, 0x100020)
write("loader_fuzzer", "aout_kludge",
      loader_input(mb_header(0x10003, aout_fields) + bytes.fromhex("f4") * 32))
write("loader_fuzzer", "bad_checksum", loader_input(struct.pack("<III", MB_MAGIC, 3, 0)))


# ---- uarch: override lines for the skylake model (uarch_fuzzer.cc) ---------
write("uarch_fuzzer", "tiny_core", b"core.rob 1\ncore.issue-width 1\ncore.retire-width 1\n")
write("uarch_fuzzer", "tiny_caches",
      b"cache L1D size=64 ways=1 line=64 latency=1\ncache L2 size=128 ways=2 line=64 latency=2\n")
write("uarch_fuzzer", "tiny_predictor",
      b"branch.pht-entries 1\nbranch.btb-entries 1\nbranch.ras-entries 1\n")
write("uarch_fuzzer", "tiny_tlb", b"tlb l1d L1d-4K entries=1 ways=1 pages=4K replacement=plru\n")
write("uarch_fuzzer", "whole_header", b"x64sim-uarch 1\nname tiny\nports p0\ncore.rob 4 [est]\n")
