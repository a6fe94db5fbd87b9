#pragma once
/// \file
/// RK_API, the export macro; defined in export.h so that the C header can share it.
#include "riskkit/export.h"
