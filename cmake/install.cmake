# `cmake --install` layout: include/riskkit/, lib/libriskkit.so*, bin/riskkit,
# lib/cmake/riskkit/riskkitConfig.cmake and a relocatable lib/pkgconfig/riskkit.pc.
include(CMakePackageConfigHelpers)

set_target_properties(riskkit PROPERTIES EXPORT_NAME riskkit)
install(TARGETS riskkit EXPORT riskkitTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/riskkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN "detail" EXCLUDE)
if(RK_BUILD_CLI)
  install(TARGETS riskkit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(RK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/riskkit)
install(EXPORT riskkitTargets NAMESPACE riskkit:: DESTINATION ${RK_CMAKE_DIR})
configure_package_config_file(cmake/riskkitConfig.cmake.in "${CMAKE_BINARY_DIR}/riskkitConfig.cmake"
                              INSTALL_DESTINATION ${RK_CMAKE_DIR})
write_basic_package_version_file("${CMAKE_BINARY_DIR}/riskkitConfigVersion.cmake"
                                 COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_BINARY_DIR}/riskkitConfig.cmake" "${CMAKE_BINARY_DIR}/riskkitConfigVersion.cmake"
        DESTINATION ${RK_CMAKE_DIR})

# pkg-config: paths relative to ${pcfiledir}, so the installed tree can be moved.
file(RELATIVE_PATH RK_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(cmake/riskkit.pc.in "${CMAKE_BINARY_DIR}/riskkit.pc" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/riskkit.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
