import jax

# Every test runs in float64 with strict dtype promotion (no silent up- or down-casting).
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")
