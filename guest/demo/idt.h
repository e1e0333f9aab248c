// The IDT: interrupt gates for the 32 exception vectors.
#ifndef GUEST_DEMO_IDT_H_
#define GUEST_DEMO_IDT_H_

enum {
  kVectorDivideError = 0,
  kVectorNmi = 2,
  kVectorBreakpoint = 3,
  kVectorInvalidOpcode = 6,
  kVectorDoubleFault = 8,
  kVectorGeneralProtection = 13,
  kVectorPageFault = 14,
  kVectorMachineCheck = 18,
  kExceptionVectors = 32,
};

// Builds the gates and loads IDTR. #BP, NMI, #DF and #MC run on IST1.
void idt_init(void);

#endif  // GUEST_DEMO_IDT_H_
