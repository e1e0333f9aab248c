/* Numbers of the seL4 x86_64 (non-MCS) ABI: sizes, slots, object types,
 * errors, syscall numbers, fault layouts.  Shared by the kernel and user land
 * so that each number is written down exactly once. */
#ifndef SEL4_CONSTANTS_H
#define SEL4_CONSTANTS_H

#define seL4_WordBits 64
#define seL4_WordSizeBits 3
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_SlotBits 5
#define seL4_TCBBits 11
#define seL4_EndpointBits 4
#define seL4_NotificationBits 5
#define seL4_PageTableBits 12
#define seL4_PageTableIndexBits 9
#define seL4_PageDirBits 12
#define seL4_PageDirIndexBits 9
#define seL4_PDPTBits 12
#define seL4_PDPTIndexBits 9
#define seL4_PML4Bits 12
#define seL4_PML4IndexBits 9
#define seL4_VSpaceBits seL4_PML4Bits
#define seL4_ASIDPoolBits 12
#define seL4_ASIDPoolIndexBits 9
#define seL4_IPCBufferSizeBits 10
#define seL4_MinUntypedBits 4
#define seL4_MaxUntypedBits 47
#define seL4_BadgeBits 64
#define seL4_GuardBits 58
#define seL4_GuardSizeBits 6
#define seL4_MsgLengthBits 7
#define seL4_MsgExtraCapBits 2
#define seL4_MsgMaxLength 120
#define seL4_MsgMaxExtraCaps 3
#define seL4_FastMessageRegisters 4
#define seL4_UserTop 0x00007ffffffff000ul
#define seL4_MaxPrio 255
#define seL4_MinPrio 0
#define seL4_NilData 0
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define seL4_MaxBootInfoUntypedCaps CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS

/* Capability slots of the initial thread's CNode. */
enum seL4_RootCNodeCapSlots {
    seL4_CapNull = 0,
    seL4_CapInitThreadTCB = 1,
    seL4_CapInitThreadCNode = 2,
    seL4_CapInitThreadVSpace = 3,
    seL4_CapIRQControl = 4,
    seL4_CapASIDControl = 5,
    seL4_CapInitThreadASIDPool = 6,
    seL4_CapIOPortControl = 7,
    seL4_CapIOSpace = 8,
    seL4_CapBootInfoFrame = 9,
    seL4_CapInitThreadIPCBuffer = 10,
    seL4_CapDomain = 11,
    seL4_CapSMMUSIDControl = 12,
    seL4_CapSMMUCBControl = 13,
    seL4_CapInitThreadSC = 14,
    seL4_CapSMC = 15,
    seL4_NumInitialCaps = 16
};
#define seL4_CapInitThreadPD seL4_CapInitThreadVSpace

typedef enum {
    seL4_UntypedObject = 0,
    seL4_TCBObject = 1,
    seL4_EndpointObject = 2,
    seL4_NotificationObject = 3,
    seL4_CapTableObject = 4,
    seL4_X86_PDPTObject = 5,
    seL4_X64_PML4Object = 6,
    seL4_X64_HugePageObject = 7,
    seL4_X86_4K = 8,
    seL4_X86_LargePageObject = 9,
    seL4_X86_PageTableObject = 10,
    seL4_X86_PageDirectoryObject = 11,
    seL4_ObjectTypeCount = 12
} seL4_ObjectType;
#define seL4_NonArchObjectTypeCount 5

typedef enum {
    seL4_NoError = 0,
    seL4_InvalidArgument = 1,
    seL4_InvalidCapability = 2,
    seL4_IllegalOperation = 3,
    seL4_RangeError = 4,
    seL4_AlignmentError = 5,
    seL4_FailedLookup = 6,
    seL4_TruncatedMessage = 7,
    seL4_DeleteFirst = 8,
    seL4_RevokeFirst = 9,
    seL4_NotEnoughMemory = 10,
    seL4_NumErrors = 11
} seL4_Error;

typedef enum {
    seL4_NoFailure = 0,
    seL4_InvalidRoot = 1,
    seL4_MissingCapability = 2,
    seL4_DepthMismatch = 3,
    seL4_GuardMismatch = 4
} seL4_LookupFailureType;

typedef enum {
    seL4_SysCall = -1,
    seL4_SysReplyRecv = -2,
    seL4_SysSend = -3,
    seL4_SysNBSend = -4,
    seL4_SysRecv = -5,
    seL4_SysReply = -6,
    seL4_SysYield = -7,
    seL4_SysNBRecv = -8,
    seL4_SysDebugPutChar = -9,
    seL4_SysDebugDumpScheduler = -10,
    seL4_SysDebugHalt = -11,
    seL4_SysDebugCapIdentify = -12,
    seL4_SysDebugSnapshot = -13,
    seL4_SysDebugNameThread = -14,
    /* x64sim extension: MR-free switch between fastpath and slow path,
     * so one boot can measure both.  RDI = 1 enables the fastpath. */
    seL4_SysX64simSetFastpath = -64,
    /* x64sim extension: end the run successfully (debug-exit status 0), as
     * a program's exit(0) does; failures use seL4_DebugHalt. */
    seL4_SysX64simExitSuccess = -65
} seL4_Syscall_ID;

typedef enum {
    seL4_X86_WriteBack = 0,
    seL4_X86_WriteThrough = 1,
    seL4_X86_CacheDisabled = 2,
    seL4_X86_Uncacheable = 3,
    seL4_X86_WriteCombining = 4,
    seL4_X86_Default_VMAttributes = 0
} seL4_X86_VMAttributes;

/* Fault messages (label = fault type, MRs by index). */
typedef enum {
    seL4_Fault_NullFault = 0,
    seL4_Fault_CapFault = 1,
    seL4_Fault_UnknownSyscall = 2,
    seL4_Fault_UserException = 3,
    seL4_Fault_VMFault = 5
} seL4_FaultType;

enum {
    seL4_VMFault_IP = 0,
    seL4_VMFault_Addr = 1,
    seL4_VMFault_PrefetchFault = 2,
    seL4_VMFault_FSR = 3,
    seL4_VMFault_Length = 4
};
enum {
    seL4_CapFault_IP = 0,
    seL4_CapFault_Addr = 1,
    seL4_CapFault_InRecvPhase = 2,
    seL4_CapFault_LookupFailureType = 3,
    seL4_CapFault_BitsLeft = 4,
    seL4_CapFault_DepthMismatch_BitsFound = 5,
    seL4_CapFault_GuardMismatch_GuardFound = 5,
    seL4_CapFault_GuardMismatch_BitsFound = 6,
    seL4_CapFault_Length = 7
};
enum {
    seL4_UserException_FaultIP = 0,
    seL4_UserException_SP = 1,
    seL4_UserException_FLAGS = 2,
    seL4_UserException_Number = 3,
    seL4_UserException_Code = 4,
    seL4_UserException_Length = 5
};
enum {
    seL4_UnknownSyscall_RAX = 0,
    seL4_UnknownSyscall_RBX = 1,
    seL4_UnknownSyscall_RCX = 2,
    seL4_UnknownSyscall_RDX = 3,
    seL4_UnknownSyscall_RSI = 4,
    seL4_UnknownSyscall_RDI = 5,
    seL4_UnknownSyscall_RBP = 6,
    seL4_UnknownSyscall_R8 = 7,
    seL4_UnknownSyscall_R9 = 8,
    seL4_UnknownSyscall_R10 = 9,
    seL4_UnknownSyscall_R11 = 10,
    seL4_UnknownSyscall_R12 = 11,
    seL4_UnknownSyscall_R13 = 12,
    seL4_UnknownSyscall_R14 = 13,
    seL4_UnknownSyscall_R15 = 14,
    seL4_UnknownSyscall_FaultIP = 15,
    seL4_UnknownSyscall_SP = 16,
    seL4_UnknownSyscall_FLAGS = 17,
    seL4_UnknownSyscall_Syscall = 18,
    seL4_UnknownSyscall_Length = 19
};

/* After a failed mapping, MR index holding the paging level left to fill. */
#define SEL4_MAPPING_LOOKUP_LEVEL 2

/* Debug-exit status the kernel writes to port 0xF4 (the simulator, and
 * tools/run_qemu, exit with 0 for 0 and (status << 1) | 1 otherwise). */
#define X64SIM_EXIT_SUCCESS 0x00     /* seL4_X64sim_ExitSuccess: exit status 0 */
#define X64SIM_EXIT_HALT 0x10        /* seL4_DebugHalt */
#define X64SIM_EXIT_IDLE 0x11        /* no thread can run again */
#define X64SIM_EXIT_KERNEL_PANIC 0x12 /* the kernel hit an internal error */

#endif
