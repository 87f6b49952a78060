from customer_behavior import pipeline


def model(dbt, session):
    # DuckDB aggregates the orders to one row per customer; both lifetime-value models read
    # this table, so the 9 M orders at 1 M customers are summarised once per build.
    # dbt only passes config keys it sees as literal dbt.config.get("...") calls.
    return pipeline.lifetime_value_inputs(
        dbt.ref("int_orders"),
        calibration_end=dbt.config.get("lifetime_value_calibration_end"),
    )
