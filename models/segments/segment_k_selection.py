from customer_behavior import pipeline


def model(dbt, session):
    # dbt only passes config keys it sees as literal dbt.config.get("...") calls.
    settings = pipeline.segment_settings(
        {
            "segment_k": dbt.config.get("segment_k"),
            "segment_k_min": dbt.config.get("segment_k_min"),
            "segment_k_max": dbt.config.get("segment_k_max"),
            "segment_random_state": dbt.config.get("segment_random_state"),
            "segment_fit_sample_size": dbt.config.get("segment_fit_sample_size"),
            "segment_metric_sample_size": dbt.config.get("segment_metric_sample_size"),
        }
    )
    features = pipeline.scaled_features(dbt.ref("segment_features"), session)
    return pipeline.k_selection(features, **settings)
