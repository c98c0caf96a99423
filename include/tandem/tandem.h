// The whole public API in one include.
#pragma once

#include "tandem/compiled_model.h"
#include "tandem/core.h"
#include "tandem/device_info.h"
#include "tandem/element_type.h"
#include "tandem/error.h"
#include "tandem/infer_request.h"
#include "tandem/io.h"
#include "tandem/model.h"
#include "tandem/placement.h"
#include "tandem/properties.h"
#include "tandem/shape.h"
#include "tandem/tensor.h"
#include "tandem/value.h"
