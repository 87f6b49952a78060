from customer_behavior import pipeline


def model(dbt, session):
    # Same inputs and fit as customer_lifetime_value (fitted once per build).
    return pipeline.lifetime_value_parameters_from_inputs(
        dbt.ref("int_customer_lifetime_value_inputs")
    )
