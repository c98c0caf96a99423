// cuDNN's descriptors as owning values: created in the constructor (a failure throws, as check
// does), destroyed with their owner, so that a kernel's members need no destructor.
#pragma once

#include <cudnn.h>

#include <memory>
#include <type_traits>

#include "devices/gpu/cuda/cuda_check.h"

namespace tandem::gpu {

template <class T, cudnnStatus_t (*Destroy)(T)>
struct CudnnDestroyer {
  void operator()(T descriptor) const { Destroy(descriptor); }
};

template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
struct CudnnDescriptor {
  std::unique_ptr<std::remove_pointer_t<T>, CudnnDestroyer<T, Destroy>> owned;
  CudnnDescriptor() {
    T d = nullptr;
    check(Create(&d), "creating a cuDNN descriptor");
    owned.reset(d);
  }
  T get() const { return owned.get(); }
};

using TensorDesc = CudnnDescriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor,
                                   cudnnDestroyTensorDescriptor>;
using FilterDesc = CudnnDescriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor,
                                   cudnnDestroyFilterDescriptor>;
using ConvDesc = CudnnDescriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                                 cudnnDestroyConvolutionDescriptor>;
using ActivationDesc = CudnnDescriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor,
                                       cudnnDestroyActivationDescriptor>;
using PoolingDesc = CudnnDescriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor,
                                    cudnnDestroyPoolingDescriptor>;

}  // namespace tandem::gpu
