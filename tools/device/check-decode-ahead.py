#!/usr/bin/env python3
"""On the GPU machine: one session taken through the paths around decoding
ahead, through the C API (ctypes), on a cpu and a cuda artifact of the same
model; the greedy ids must be equal.

The cuda device starts a greedy step before the host has read the one
before (runtime/src/cuda/CudaDevice.cpp, CudaSession::forward). A session
that goes on differently must wait for that step and discard it. Each
llmc_generate call below leaves the session in another state:

1. a prompt, stopped by the callback after 5 tokens: the step of the 5th
   token was started ahead;
2. that 5th token as a one-token prompt: the step started ahead is the one
   this call wants (the same id at the same position);
3. a prompt of two tokens (a prompt step: the step started ahead by 2 is
   discarded);
4. a one-token prompt that is not the id the last step gave;
5. after truncating the session to 10 tokens, a one-token prompt (a
   position the step started ahead is not at);
6. up to the cache's end.

Usage: check-decode-ahead.py LIBLLMC_RUNTIME CPU.llmc CUDA.llmc
"""
import ctypes
import sys

LIB, CPU, CUDA = sys.argv[1:4]
lib = ctypes.CDLL(LIB)

Status = ctypes.c_void_p
lib.llmc_status_message.restype = ctypes.c_char_p
lib.llmc_status_message.argtypes = [Status]
lib.llmc_model_load.restype = Status
lib.llmc_model_load.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                ctypes.POINTER(ctypes.c_void_p)]
lib.llmc_session_create.restype = Status
lib.llmc_session_create.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                    ctypes.POINTER(ctypes.c_void_p)]
lib.llmc_session_truncate.argtypes = [ctypes.c_void_p, ctypes.c_int32]
lib.llmc_session_length.restype = ctypes.c_int32
lib.llmc_session_length.argtypes = [ctypes.c_void_p]
lib.llmc_session_free.argtypes = [ctypes.c_void_p]
lib.llmc_model_free.argtypes = [ctypes.c_void_p]


class GenerateOptions(ctypes.Structure):
    _fields_ = [("max_new_tokens", ctypes.c_int32),
                ("temperature", ctypes.c_float),
                ("top_k", ctypes.c_int32),
                ("top_p", ctypes.c_float),
                ("min_p", ctypes.c_float),
                ("repetition_penalty", ctypes.c_float),
                ("seed", ctypes.c_uint64),
                ("stop_strings", ctypes.c_void_p),
                ("num_stop_strings", ctypes.c_size_t),
                ("ignore_eos", ctypes.c_int32)]


class SessionOptions(ctypes.Structure):
    _fields_ = [("max_context", ctypes.c_int32)]


Callback = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int32,
                            ctypes.c_char_p, ctypes.c_size_t)
lib.llmc_generate_options_init.argtypes = [ctypes.POINTER(GenerateOptions)]
lib.llmc_generate.restype = Status
lib.llmc_generate.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32),
                              ctypes.c_size_t, ctypes.POINTER(GenerateOptions),
                              Callback, ctypes.c_void_p,
                              ctypes.POINTER(ctypes.c_int)]


def check(status, what):
    if status:
        sys.exit(f"{what}: {lib.llmc_status_message(status).decode()}")


def run(path):
    model = ctypes.c_void_p()
    check(lib.llmc_model_load(path.encode(), None, ctypes.byref(model)), path)
    session = ctypes.c_void_p()
    options = SessionOptions(64)
    check(lib.llmc_session_create(model, ctypes.byref(options),
                                  ctypes.byref(session)), "session")
    log = []

    def generate(prompt, stop_after=None, limit=32):
        ids = []

        def on_token(_, token, text, length):
            if token >= 0:
                ids.append(token)
            return 1 if stop_after and len(ids) >= stop_after else 0

        o = GenerateOptions()
        lib.llmc_generate_options_init(ctypes.byref(o))
        o.max_new_tokens = limit
        o.ignore_eos = 1
        array = (ctypes.c_int32 * len(prompt))(*prompt)
        reason = ctypes.c_int()
        check(lib.llmc_generate(session, array, len(prompt), ctypes.byref(o),
                                Callback(on_token), None,
                                ctypes.byref(reason)), "generate")
        log.append((prompt, ids, reason.value,
                    lib.llmc_session_length(session)))
        return ids

    first = generate([17, 3, 250, 9, 41, 120, 77, 5, 66, 201, 13, 88],
                     stop_after=5)
    generate([first[-1]], stop_after=4)
    generate([7, 19], stop_after=3)
    generate([(log[-1][1][-1] + 1) % 200], stop_after=3)
    lib.llmc_session_truncate(session, 10)
    generate([42], stop_after=3)
    generate([1], limit=64)  # to the cache's end (64 rows)
    lib.llmc_session_free(session)
    lib.llmc_model_free(model)
    return log


cpu, cuda = run(CPU), run(CUDA)
status = 0
for i, (a, b) in enumerate(zip(cpu, cuda)):
    same = a == b
    status |= not same
    print(f"call {i + 1}: prompt {a[0]}: cpu {a[1]} (reason {a[2]}, length "
          f"{a[3]}); cuda {'the same' if same else f'{b[1]} (reason {b[2]}, length {b[3]}): DIFFER'}")
print("decode ahead: " + ("equal" if not status else "DIFFER"))
sys.exit(status)
