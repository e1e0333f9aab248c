/* Names of seL4 error codes for log messages. */
#include <sel4utils/sel4_zf_logif.h>

const char *sel4_strerror(int error) {
    static const char *const names[seL4_NumErrors] = {
        [seL4_NoError] = "seL4_NoError",
        [seL4_InvalidArgument] = "seL4_InvalidArgument",
        [seL4_InvalidCapability] = "seL4_InvalidCapability",
        [seL4_IllegalOperation] = "seL4_IllegalOperation",
        [seL4_RangeError] = "seL4_RangeError",
        [seL4_AlignmentError] = "seL4_AlignmentError",
        [seL4_FailedLookup] = "seL4_FailedLookup",
        [seL4_TruncatedMessage] = "seL4_TruncatedMessage",
        [seL4_DeleteFirst] = "seL4_DeleteFirst",
        [seL4_RevokeFirst] = "seL4_RevokeFirst",
        [seL4_NotEnoughMemory] = "seL4_NotEnoughMemory",
    };
    if (error < 0 || error >= seL4_NumErrors) {
        return "unknown seL4 error";
    }
    return names[error];
}
