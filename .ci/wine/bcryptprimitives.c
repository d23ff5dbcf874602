/* A stand-in bcryptprimitives.dll for Wine 8, which lacks it: Rust's std (1.78+) asks
 * ProcessPrng for random bytes (HashMap keys, uuid, age). This forwards to RtlGenRandom
 * (advapi32!SystemFunction036), which Wine has. CI only: never shipped, never used on Windows,
 * where the real DLL is a system file. Built by .ci/windows-smoke.sh with mingw-w64. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
