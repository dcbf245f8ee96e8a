#!/usr/bin/env python3
"""Generate the bundled synthetic demo universe (``samples/``) in the data directory contract.

Deterministic: a fixed seed, one random stream per (purpose, ticker) and explicit
number formatting, so two runs write byte-identical files.  See samples/README.md
for what is in the universe and which irregularities are planted on purpose.

    python scripts/make_samples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd

SEED = 20251031
FIRST, LAST = "2022-01-03", "2025-10-31"
PRICE_HEADER = "Date,Open,High,Low,Close,AdjClose,Volume,Dividends,Stock Splits"
SOURCE = "sample-issuer"
FETCHED_AT = "2025-10-31T21:05:00"

# The planted features (dates are XNYS sessions; checked in tests/test_samples.py).
XLE_SPLIT = ("2024-03-25", 2)  # 2-for-1
TLT_STALE_FROM, TLT_STALE_LEN = "2025-06-02", 25
IJH_GAP = ("2025-03-10", "2025-03-14")  # one whole week of shares.csv rows missing
IJR_FINAL_WEEK = {  # creation units per day, sum -78 units = -3,900,000 shares
    "2025-10-27": -22, "2025-10-28": -10, "2025-10-29": 4, "2025-10-30": -24, "2025-10-31": -26,
}
IJR_FINAL_SHARES = 645_650_000
IJR_WEEK_FLOW_USD = -399.4e6  # the IJR price level is tuned so the week sums to this
ROTATION_DAYS = {  # date: (IWM flow target, QQQ flow target) in USD
    "2023-03-14": (520e6, -1.05e9),  # an older occurrence of the pattern
    "2024-11-14": (540e6, -1.15e9),  # the analog: last occurrence before the final day
    "2025-04-04": (-45e6, -1.25e9),  # QQQ outflow alone
    "2025-06-20": (450e6, -1.20e9),  # near miss: IWM just below +$500M
    "2025-08-22": (620e6, 30e6),  # IWM inflow alone
    "2025-10-31": (600e6, -1.50e9),  # the rotation on the demo date
}


# --------------------------------------------------------------------------- universe


@dataclass(frozen=True)
class Asset:
    ticker: str
    start: float  # first Close
    end: float  # last Close, before any split
    loads: dict  # factor loadings
    idio: float  # daily idiosyncratic vol
    volume: float  # typical daily volume (shares)
    div: tuple = (0.0, 3, 10)  # (annual yield, first ex-month 1..3, day of month or 0 = third Friday)
    div_from: str = FIRST


@dataclass(frozen=True)
class Fund:
    asset: Asset
    long_name: str
    category: str
    family: str
    expense_pct: float  # percent units, as yfinance reports it (0.06 = 0.06%)
    inception: int  # epoch seconds
    beta: float
    final_shares: int
    unit: int = 50_000
    flow: dict = field(default_factory=dict)  # parameters of the daily creation-unit process
    holdings: tuple = ()  # (symbol, name, weight)
    sectors: dict = field(default_factory=dict)
    summary: str = ""


def A(ticker, start, end, idio, volume, div=(0.0, 3, 10), div_from=FIRST, **loads):
    return Asset(ticker, start, end, loads, idio, volume, div, div_from)


SECTOR_KEYS = ("realestate", "consumer_cyclical", "basic_materials", "consumer_defensive", "technology",
               "communication_services", "financial_services", "utilities", "industrials", "energy",
               "healthcare")


def sectors(*vals):
    return dict(zip(SECTOR_KEYS, vals))


BROAD_US = sectors(0.0205, 0.1046, 0.0185, 0.0494, 0.3451, 0.1012, 0.1295, 0.0231, 0.0812, 0.0298, 0.0971)
TOTAL_US = sectors(0.0262, 0.1039, 0.0211, 0.0471, 0.3298, 0.0963, 0.1311, 0.0245, 0.0921, 0.0301, 0.0978)

COMPONENTS = {
    # mega caps shared by SPY, IVV, VTI, QQQ, XLK
    "AAPL": (A("AAPL", 182.01, 270.37, 0.012, 55e6, (0.005, 2, 9), m=1.05, tech=0.7), "Apple Inc"),
    "MSFT": (A("MSFT", 334.75, 517.81, 0.011, 22e6, (0.008, 2, 15), m=1.0, tech=0.8), "Microsoft Corp"),
    "NVDA": (A("NVDA", 30.12, 202.49, 0.026, 250e6, (0.0004, 3, 5), m=1.5, tech=1.4), "NVIDIA Corp"),
    "AMZN": (A("AMZN", 170.40, 244.22, 0.015, 45e6, m=1.15, tech=0.9), "Amazon.com Inc"),
    "GOOGL": (A("GOOGL", 145.07, 281.19, 0.015, 30e6, (0.0045, 3, 9), "2024-06-01", m=1.05, tech=0.8),
              "Alphabet Inc Class A"),
    "META": (A("META", 338.54, 648.35, 0.02, 15e6, (0.0035, 3, 14), "2024-03-01", m=1.2, tech=1.0),
             "Meta Platforms Inc Class A"),
    "AVGO": (A("AVGO", 66.10, 369.63, 0.02, 25e6, (0.015, 3, 20), m=1.3, tech=1.1), "Broadcom Inc"),
    "TSLA": (A("TSLA", 399.93, 456.56, 0.03, 100e6, m=1.6, tech=1.0), "Tesla Inc"),
    "BRK-B": (A("BRK-B", 300.79, 480.36, 0.008, 4e6, m=0.85, fin=0.5), "Berkshire Hathaway Inc Class B"),
    "COST": (A("COST", 570.12, 914.42, 0.012, 2e6, (0.006, 2, 1), m=0.8), "Costco Wholesale Corp"),
    "NFLX": (A("NFLX", 597.37, 1098.83, 0.022, 4e6, m=1.2, tech=0.6), "Netflix Inc"),
    "ORCL": (A("ORCL", 88.40, 257.85, 0.018, 10e6, (0.012, 1, 10), m=1.0, tech=0.8), "Oracle Corp"),
    "AMD": (A("AMD", 150.24, 256.12, 0.028, 50e6, m=1.5, tech=1.3), "Advanced Micro Devices Inc"),
    "CSCO": (A("CSCO", 63.53, 73.10, 0.011, 20e6, (0.028, 1, 3), m=0.85, tech=0.4), "Cisco Systems Inc"),
    # financials (XLF)
    "JPM": (A("JPM", 161.70, 311.11, 0.011, 9e6, (0.023, 1, 5), m=1.0, fin=1.0), "JPMorgan Chase & Co"),
    "V": (A("V", 220.88, 340.72, 0.010, 7e6, (0.007, 2, 10), m=0.9, fin=0.5), "Visa Inc Class A"),
    "MA": (A("MA", 364.27, 551.04, 0.010, 3e6, (0.005, 1, 9), m=0.95, fin=0.5), "Mastercard Inc Class A"),
    "BAC": (A("BAC", 46.81, 53.45, 0.013, 38e6, (0.024, 3, 1), m=1.1, fin=1.2), "Bank of America Corp"),
    "WFC": (A("WFC", 49.33, 86.95, 0.014, 17e6, (0.022, 2, 1), m=1.1, fin=1.2), "Wells Fargo & Co"),
    # energy (XLE)
    "XOM": (A("XOM", 63.54, 114.39, 0.011, 16e6, (0.035, 2, 14), m=0.6, energy=1.0), "Exxon Mobil Corp"),
    "CVX": (A("CVX", 120.22, 157.01, 0.011, 8e6, (0.04, 2, 16), m=0.6, energy=1.0), "Chevron Corp"),
    "COP": (A("COP", 73.41, 88.93, 0.014, 6e6, (0.03, 2, 20), m=0.7, energy=1.2), "ConocoPhillips"),
    "EOG": (A("EOG", 90.71, 107.33, 0.014, 3e6, (0.032, 1, 17), m=0.7, energy=1.1), "EOG Resources Inc"),
    "SLB": (A("SLB", 29.74, 35.92, 0.017, 12e6, (0.025, 2, 4), m=0.8, energy=1.1), "SLB Ltd"),
    "WMB": (A("WMB", 26.42, 58.05, 0.012, 7e6, (0.038, 3, 10), m=0.6, energy=0.6), "Williams Companies Inc"),
    # small caps (IJR)
    "JXN": (A("JXN", 42.11, 97.84, 0.022, 0.9e6, (0.03, 3, 7), m=1.2, size=0.9, fin=0.8),
            "Jackson Financial Inc"),
    "PRIM": (A("PRIM", 24.31, 131.62, 0.025, 0.8e6, (0.003, 3, 30), m=1.1, size=1.0),
             "Primoris Services Corp"),
    "FORM": (A("FORM", 46.22, 51.76, 0.028, 0.9e6, m=1.3, size=0.9, tech=0.8), "FormFactor Inc"),
    "ADC": (A("ADC", 71.35, 74.91, 0.012, 1.2e6, (0.042, 3, 28), m=0.6, size=0.5), "Agree Realty Corp"),
    "VIAV": (A("VIAV", 17.54, 16.88, 0.024, 2.5e6, m=1.1, size=0.9, tech=0.6), "Viavi Solutions Inc"),
    # small caps (IWM)
    "BE": (A("BE", 22.18, 125.40, 0.045, 8e6, m=1.6, size=1.2), "Bloom Energy Corp Class A"),
    "CRDO": (A("CRDO", 14.27, 160.31, 0.04, 4e6, m=1.5, size=1.0, tech=1.0), "Credo Technology Group Holding Ltd"),
    "FN": (A("FN", 118.55, 421.77, 0.028, 0.6e6, m=1.3, size=0.9, tech=0.7), "Fabrinet"),
    "KTOS": (A("KTOS", 19.46, 75.12, 0.03, 2.5e6, m=1.2, size=1.0), "Kratos Defense & Security Solutions Inc"),
    "IONQ": (A("IONQ", 16.93, 55.63, 0.05, 12e6, m=1.8, size=1.2, tech=1.0), "IonQ Inc"),
    # mid caps (IJH)
    "FTI": (A("FTI", 6.07, 40.52, 0.025, 5e6, (0.005, 2, 20), m=1.0, size=0.4, energy=0.9), "TechnipFMC PLC"),
    "CASY": (A("CASY", 197.54, 534.66, 0.014, 0.4e6, (0.005, 1, 28), m=0.7, size=0.4),
             "Casey's General Stores Inc"),
    "UTHR": (A("UTHR", 216.35, 443.80, 0.018, 0.4e6, m=0.6, size=0.4), "United Therapeutics Corp"),
    "CW": (A("CW", 139.43, 561.20, 0.015, 0.3e6, (0.003, 3, 2), m=0.9, size=0.4), "Curtiss-Wright Corp"),
    "FLEX": (A("FLEX", 18.36, 58.47, 0.022, 5e6, m=1.2, size=0.5, tech=0.6), "Flex Ltd"),
    # developed ex-US, US listings (EFA)
    "ASML": (A("ASML", 801.15, 1052.04, 0.021, 1.5e6, (0.009, 2, 1), m=1.2, intl=0.8, tech=0.9),
             "ASML Holding NV ADR"),
    "AZN": (A("AZN", 58.42, 82.17, 0.012, 5e6, (0.022, 2, 20), m=0.5, intl=0.7), "AstraZeneca PLC ADR"),
    "NVS": (A("NVS", 88.19, 125.34, 0.011, 1.5e6, (0.035, 3, 7), m=0.5, intl=0.7), "Novartis AG ADR"),
    "SHEL": (A("SHEL", 44.12, 74.38, 0.013, 4e6, (0.039, 2, 14), m=0.6, intl=0.6, energy=0.8), "Shell PLC ADR"),
    "TM": (A("TM", 185.22, 195.61, 0.013, 0.3e6, (0.028, 3, 28), m=0.7, intl=0.8), "Toyota Motor Corp ADR"),
}


def top(*symbols_and_weights):
    return tuple((s, COMPONENTS[s][1], w) for s, w in symbols_and_weights)


SPY_TOP = (("NVDA", 0.0756), ("AAPL", 0.0664), ("MSFT", 0.0590), ("AMZN", 0.0363), ("GOOGL", 0.0299),
           ("AVGO", 0.0262), ("META", 0.0223), ("TSLA", 0.0186), ("BRK-B", 0.0157))


def _flow(pz, small, big_p, big, p_pos=0.5, cap=None):
    return dict(pz=pz, small=small, big_p=big_p, big=big, p_pos=p_pos, cap=cap)


FUNDS = [
    Fund(A("IJR", 115.03, 102.40, 0.0025, 4.5e6, (0.014, 3, 10), m=1.1, size=0.85),
         "iShares Core S&P Small-Cap ETF", "Small Blend", "iShares", 0.06, 958953600, 1.20, IJR_FINAL_SHARES,
         flow=_flow(0.5, 5, 0.04, (8, 12), 0.53), holdings=(),  # filled from the holdings file
         sectors=sectors(0.0751, 0.1369, 0.0524, 0.0372, 0.1436, 0.0343, 0.1687, 0.0213, 0.1568, 0.0623, 0.1114),
         summary="Tracks the S&P SmallCap 600, a profitability-screened index of U.S. small-capitalization stocks."),
    Fund(A("IWM", 225.04, 245.51, 0.002, 30e6, (0.012, 3, 10), m=1.15, size=0.8),
         "iShares Russell 2000 ETF", "Small Blend", "iShares", 0.19, 958953600, 1.32, 297_400_000,
         flow=_flow(0.45, 6, 0.05, (10, 34), 0.5, cap=34),
         holdings=top(("BE", 0.0101), ("CRDO", 0.0065), ("FN", 0.0064), ("KTOS", 0.0043), ("IONQ", 0.0040)),
         sectors=sectors(0.0627, 0.0873, 0.0504, 0.0256, 0.1512, 0.0235, 0.1594, 0.0305, 0.1659, 0.0648, 0.1787),
         summary="Tracks the Russell 2000 index of U.S. small-capitalization stocks."),
    Fund(A("QQQ", 401.68, 629.07, 0.0015, 45e6, (0.006, 3, 20), m=1.15, tech=0.6),
         "Invesco QQQ Trust, Series 1", "Large Growth", "Invesco", 0.20, 921024000, 1.11, 591_550_000,
         flow=_flow(0.45, 6, 0.05, (10, 25), 0.52, cap=25),
         holdings=top(("NVDA", 0.0968), ("AAPL", 0.0863), ("MSFT", 0.0813), ("AMZN", 0.0558), ("AVGO", 0.0501),
                      ("TSLA", 0.0380), ("META", 0.0346), ("GOOGL", 0.0343), ("COST", 0.0244),
                      ("NFLX", 0.0240)),
         sectors=sectors(0.001, 0.1262, 0.013, 0.0858, 0.5054, 0.1606, 0.0024, 0.0154, 0.0326, 0.0066, 0.0511),
         summary="Tracks the Nasdaq-100 index of the largest non-financial companies listed on Nasdaq."),
    Fund(A("SPY", 477.71, 682.06, 0.0004, 70e6, (0.013, 3, 0), m=1.0, tech=0.1),
         "SPDR S&P 500 ETF Trust", "Large Blend", "SPDR State Street Global Advisors", 0.0945, 727660800, 1.00,
         917_400_000, flow=_flow(0.45, 8, 0.05, (20, 60), 0.52), holdings=top(*SPY_TOP), sectors=BROAD_US,
         summary="A unit investment trust that holds the stocks of the S&P 500 index."),
    Fund(A("IVV", 479.90, 685.22, 0.0004, 5e6, (0.013, 3, 12), m=1.0, tech=0.1),
         "iShares Core S&P 500 ETF", "Large Blend", "iShares", 0.03, 958348800, 1.00, 1_010_250_000,
         flow=_flow(0.5, 6, 0.05, (15, 40), 0.55),
         holdings=top(("NVDA", 0.0758), ("AAPL", 0.0665), ("MSFT", 0.0591), ("AMZN", 0.0364),
                      ("GOOGL", 0.0300), ("AVGO", 0.0263), ("META", 0.0224), ("TSLA", 0.0186),
                      ("BRK-B", 0.0157)),
         sectors=BROAD_US, summary="Tracks the S&P 500 index of large-capitalization U.S. stocks."),
    Fund(A("VTI", 241.68, 336.41, 0.0006, 4e6, (0.013, 3, 24), m=1.02, tech=0.08, size=0.1),
         "Vanguard Total Stock Market Index Fund ETF Shares", "Large Blend", "Vanguard", 0.03, 990662400, 1.04,
         1_530_150_000, flow=_flow(0.45, 5, 0.05, (10, 25), 0.58),
         holdings=top(("NVDA", 0.0641), ("AAPL", 0.0593), ("MSFT", 0.0537), ("AMZN", 0.0320), ("GOOGL", 0.0266),
                      ("AVGO", 0.0233), ("META", 0.0199), ("TSLA", 0.0166), ("BRK-B", 0.0136)),
         sectors=TOTAL_US, summary="Tracks the CRSP US Total Market index of large-, mid- and small-cap U.S. stocks."),
    Fund(A("IJH", 55.02, 63.48, 0.0015, 8e6, (0.013, 3, 10), m=1.05, size=0.45),
         "iShares Core S&P Mid-Cap ETF", "Mid-Cap Blend", "iShares", 0.05, 958953600, 1.14, 1_641_600_000,
         flow=_flow(0.5, 6, 0.05, (10, 30), 0.53),
         holdings=top(("FTI", 0.0087), ("CASY", 0.0084), ("UTHR", 0.0080), ("CW", 0.0078), ("FLEX", 0.0075)),
         sectors=sectors(0.0749, 0.1169, 0.0489, 0.0395, 0.1415, 0.0104, 0.1435, 0.0316, 0.2439, 0.0571, 0.0918),
         summary="Tracks the S&P MidCap 400 index of U.S. mid-capitalization stocks."),
    Fund(A("XLK", 181.97, 288.14, 0.0015, 6e6, (0.007, 3, 0), m=1.15, tech=0.75),
         "Technology Select Sector SPDR Fund", "Technology", "SPDR State Street Global Advisors", 0.08,
         913766400, 1.11, 296_950_000, flow=_flow(0.5, 5, 0.05, (10, 25)),
         holdings=top(("NVDA", 0.1548), ("AAPL", 0.1361), ("MSFT", 0.1204), ("AVGO", 0.0536), ("ORCL", 0.0397),
                      ("AMD", 0.0295), ("CSCO", 0.0273)),
         sectors=sectors(0, 0, 0, 0, 0.9904, 0.0096, 0, 0, 0, 0, 0),
         summary="Holds the information technology stocks of the S&P 500."),
    Fund(A("XLF", 39.61, 52.63, 0.0015, 40e6, (0.016, 3, 0), m=1.0, fin=1.0),
         "Financial Select Sector SPDR Fund", "Financial", "SPDR State Street Global Advisors", 0.08, 913766400,
         0.92, 1_010_400_000, flow=_flow(0.5, 8, 0.05, (15, 40)),
         holdings=top(("BRK-B", 0.1245), ("JPM", 0.1123), ("V", 0.0720), ("MA", 0.0576), ("BAC", 0.0458),
                      ("WFC", 0.0349)),
         sectors=sectors(0, 0, 0, 0, 0.0169, 0, 0.9808, 0, 0.0023, 0, 0),
         summary="Holds the financial stocks of the S&P 500."),
    # XLE: `end` is the last close in pre-split terms; the 2-for-1 split halves the raw close.
    Fund(A("XLE", 57.54, 88.62, 0.002, 18e6, (0.034, 3, 0), m=0.7, energy=1.0),
         "Energy Select Sector SPDR Fund", "Equity Energy", "SPDR State Street Global Advisors", 0.08,
         913766400, 0.23, 830_700_000, flow=_flow(0.5, 6, 0.05, (10, 30), 0.48),
         holdings=top(("XOM", 0.2374), ("CVX", 0.1730), ("COP", 0.0721), ("EOG", 0.0415), ("SLB", 0.0406),
                      ("WMB", 0.0406)),
         sectors=sectors(0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0, 0),
         summary="Holds the energy stocks of the S&P 500."),
    Fund(A("TLT", 148.19, 90.47, 0.001, 30e6, (0.038, 3, 1), m=-0.1, rates=1.0),
         "iShares 20+ Year Treasury Bond ETF", "Long Government", "iShares", 0.15, 1027296000, 2.37,
         548_300_000, unit=100_000, flow=_flow(0.45, 6, 0.05, (10, 30), 0.55),
         summary="Tracks an index of U.S. Treasury bonds with remaining maturities greater than twenty years."),
    Fund(A("GLD", 168.33, 368.12, 0.001, 8e6, m=0.1, gold=1.0),
         "SPDR Gold Shares", "Commodities Focused", "SPDR State Street Global Advisors", 0.40, 1100736000, 0.19,
         378_200_000, unit=100_000, flow=_flow(0.45, 5, 0.05, (8, 20), 0.52),
         summary="A grantor trust whose shares reflect the price of gold bullion held in London vaults."),
    Fund(A("EFA", 78.64, 95.38, 0.0015, 15e6, (0.028, 3, 10), m=0.8, intl=0.8),
         "iShares MSCI EAFE ETF", "Foreign Large Blend", "iShares", 0.32, 997747200, 0.94, 696_400_000,
         unit=100_000, flow=_flow(0.5, 5, 0.05, (8, 20)),
         holdings=top(("ASML", 0.0247), ("AZN", 0.0149), ("NVS", 0.0141), ("SHEL", 0.0133), ("TM", 0.0093)),
         sectors=sectors(0.019, 0.0788, 0.0586, 0.0694, 0.0933, 0.0464, 0.2426, 0.0404, 0.1944, 0.0443, 0.1128),
         summary="Tracks the MSCI EAFE index of large- and mid-cap stocks in developed markets outside North America."),
    Fund(A("AGG", 114.08, 100.52, 0.0004, 7e6, (0.035, 3, 1), rates=0.3),
         "iShares Core U.S. Aggregate Bond ETF", "Intermediate Core Bond", "iShares", 0.03, 1064188800, 0.99,
         1_335_900_000, unit=100_000, flow=_flow(0.45, 6, 0.05, (10, 25), 0.58),
         summary="Tracks the Bloomberg U.S. Aggregate index of investment-grade U.S. bonds."),
]
FUND_BY_TICKER = {f.asset.ticker: f for f in FUNDS}
VENDOR_FLOW_FUNDS = ("GLD", "TLT")
NO_SHARES_FUNDS = ("GLD",)

# IJR full holdings (holdings/IJR.csv): the first five are components with price files.
IJR_HOLDINGS = [  # ticker, name, sector, exchange, weight %
    ("JXN", "JACKSON FINANCIAL INC", "Financials", "NYSE", 0.62),
    ("PRIM", "PRIMORIS SERVICES CORP", "Industrials", "NYSE", 0.60),
    ("FORM", "FORMFACTOR INC", "Information Technology", "NASDAQ", 0.57),
    ("ADC", "AGREE REALTY REIT CORP", "Real Estate", "NYSE", 0.55),
    ("VIAV", "VIAVI SOLUTIONS INC", "Information Technology", "NASDAQ", 0.53),
    ("ESE", "ESCO TECHNOLOGIES INC", "Industrials", "NYSE", 0.50),
    ("AGX", "ARGAN INC", "Industrials", "NYSE", 0.49),
    ("LKQ", "LKQ CORP", "Consumer Discretionary", "NASDAQ", 0.48),
    ("ESI", "ELEMENT SOLUTIONS INC", "Materials", "NYSE", 0.47),
    ("EMN", "EASTMAN CHEMICAL CO", "Materials", "NYSE", 0.46),
    ("SPXC", "SPX TECHNOLOGIES INC", "Industrials", "NYSE", 0.45),
    ("CORT", "CORCEPT THERAPEUTICS INC", "Health Care", "NASDAQ", 0.44),
    ("MARA", "MARA HOLDINGS INC", "Information Technology", "NASDAQ", 0.43),
    ("GKOS", "GLAUKOS CORP", "Health Care", "NYSE", 0.42),
    ("BMI", "BADGER METER INC", "Information Technology", "NYSE", 0.42),
    ("SANM", "SANMINA CORP", "Information Technology", "NASDAQ", 0.41),
    ("RDN", "RADIAN GROUP INC", "Financials", "NYSE", 0.40),
    ("MATX", "MATSON INC", "Industrials", "NYSE", 0.40),
    ("ITRI", "ITRON INC", "Information Technology", "NASDAQ", 0.39),
    ("CALM", "CAL MAINE FOODS INC", "Consumer Staples", "NASDAQ", 0.39),
    ("LNC", "LINCOLN NATIONAL CORP", "Financials", "NYSE", 0.38),
    ("SKYW", "SKYWEST INC", "Industrials", "NASDAQ", 0.38),
    ("DY", "DYCOM INDUSTRIES INC", "Industrials", "NYSE", 0.37),
    ("MHO", "M/I HOMES INC", "Consumer Discretionary", "NYSE", 0.37),
    ("CTRE", "CARETRUST REIT INC", "Real Estate", "NYSE", 0.36),
    ("PIPR", "PIPER SANDLER COMPANIES", "Financials", "NYSE", 0.36),
    ("NOG", "NORTHERN OIL AND GAS INC", "Energy", "NYSE", 0.35),
]
IJR_TOP_N = 5
EXCHANGES = {"NYSE": "New York Stock Exchange Inc.", "NASDAQ": "NASDAQ"}

# Factors: log return over each calendar year (2022, 2023, 2024, 2025 to date) and daily vol per year.
# Each year's path is a random walk pinned to its yearly return, so the market has a 2022 bear
# market, strong 2023-24 and a positive 2025 with an April sell-off, roughly as it happened.
FACTORS = {
    "m": ((-0.21, 0.215, 0.207, 0.148), (0.0145, 0.0085, 0.0080, 0.0090)),
    "size": ((0.0, -0.12, -0.15, -0.08), (0.0060, 0.0065, 0.0060, 0.0060)),
    "tech": ((-0.27, 0.31, 0.0, 0.02), (0.0080, 0.0060, 0.0060, 0.0065)),
    "fin": ((0.08, -0.12, 0.04, -0.06), (0.0070, 0.0090, 0.0060, 0.0055)),
    "energy": ((0.60, -0.20, -0.125, -0.07), (0.0160, 0.0110, 0.0100, 0.0110)),
    "intl": ((-0.02, -0.04, -0.19, 0.13), (0.0060, 0.0045, 0.0045, 0.0045)),
    "rates": ((-0.42, -0.005, -0.10, 0.055), (0.0100, 0.0110, 0.0085, 0.0075)),
    "gold": ((0.013, 0.10, 0.216, 0.37), (0.0090, 0.0085, 0.0090, 0.0115)),
}
STRESS = ("2025-04-03", "2025-04-11", 3.0)  # a market-wide volatility spike (vol multiplier)


# --------------------------------------------------------------------------- helpers


def rng_for(*key) -> np.random.Generator:
    """One independent, stable random stream per purpose and ticker."""
    return np.random.default_rng([SEED] + [zlib.crc32(str(k).encode()) for k in key])


def num(x: float, dp: int = 4) -> str:
    """Shortest text of x rounded to dp decimals (no '-0.0')."""
    return repr(round(float(x), dp) + 0.0)


def money(x: float) -> str:
    return f'"{x:,.2f}"'


def session_index(sessions: pd.DatetimeIndex, day: str) -> int:
    return int(sessions.get_loc(pd.Timestamp(day)))


def factor_returns(sessions: pd.DatetimeIndex) -> dict:
    years = sessions.year.to_numpy() - 2022
    lo, hi, mult = pd.Timestamp(STRESS[0]), pd.Timestamp(STRESS[1]), STRESS[2]
    stress = np.where((sessions >= lo) & (sessions <= hi), mult, 1.0)
    out = {}
    for name, (targets, vols) in FACTORS.items():
        vol = np.array([vols[y] for y in years]) * (stress if name in ("m", "tech", "size") else 1.0)
        r = vol * rng_for("factor", name).standard_normal(len(sessions))
        for y, target in enumerate(targets):
            mask = years == y
            r[mask] += (target - r[mask].sum()) / mask.sum()
        out[name] = r
    return out


def ex_dates(sessions: pd.DatetimeIndex, asset: Asset) -> list[int]:
    """Session indices of quarterly dividend ex-dates."""
    yld, m0, day = asset.div
    if yld <= 0:
        return []
    out = []
    for year in range(2022, 2026):
        for month in range(m0, 13, 3):
            if day == 0:  # third Friday
                first = dt.date(year, month, 1)
                target = first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)
            else:
                target = dt.date(year, month, min(day, 28))
            ts = pd.Timestamp(target)
            if ts < pd.Timestamp(asset.div_from) or ts <= sessions[0] or ts > sessions[-1]:
                continue
            out.append(int(sessions.searchsorted(ts)))
    return out


# --------------------------------------------------------------------------- prices


def simulate(asset: Asset, sessions, factors, end=None, split=None) -> dict:
    """OHLCV, dividends, splits and adjusted close for one ticker."""
    n = len(sessions)
    end = asset.end if end is None else end
    rng = rng_for("price", asset.ticker)
    r = rng.standard_normal(n) * asset.idio
    for name, load in asset.loads.items():
        r = r + load * factors[name]
    r[0] = 0.0
    logp = np.cumsum(r)
    logp += (math.log(end / asset.start) - logp[-1]) * np.arange(n) / (n - 1)
    econ = asset.start * np.exp(logp)  # per pre-split share
    ratio = np.ones(n)
    if split is not None:
        ratio[split[0]:] = split[1]
    close = np.round(econ / ratio, 4)

    sig = max(float(np.std(np.diff(logp))), 0.003)
    noise = rng_for("ohlc", asset.ticker)
    gap = noise.normal(0.0, 0.3 * sig, n)
    prev = np.empty(n)
    prev[0] = close[0]
    prev[1:] = close[:-1] * ratio[:-1] / ratio[1:]  # previous close in today's share terms
    opn = np.round(prev * np.exp(gap), 4)
    hi = np.round(np.maximum(opn, close) * np.exp(np.abs(noise.normal(0.0, 0.5 * sig, n))), 4)
    lo = np.round(np.minimum(opn, close) * np.exp(-np.abs(noise.normal(0.0, 0.5 * sig, n))), 4)
    hi = np.maximum(hi, np.maximum(opn, close))
    lo = np.minimum(lo, np.minimum(opn, close))
    vol_scale = np.exp(noise.normal(0.0, 0.25, n)) * (1.0 + 0.35 * np.abs(r) / sig)
    volume = np.rint(asset.volume * ratio * vol_scale).astype(np.int64)

    divs = np.zeros(n)
    factor = np.ones(n)
    for t in ex_dates(sessions, asset):
        divs[t] = round(asset.div[0] / 4 * close[t - 1], 4)
        factor[:t] *= 1.0 - divs[t] / close[t - 1]
    splits = np.zeros(n)
    if split is not None:
        splits[split[0]] = float(split[1])
        factor[: split[0]] /= split[1]
    adj = np.round(close * factor, 4)
    return dict(Open=opn, High=hi, Low=lo, Close=close, AdjClose=adj, Volume=volume, Dividends=divs,
                Splits=splits)


def price_csv(sessions, px) -> str:
    cols = {k: np.asarray(v).tolist() for k, v in px.items()}
    lines = [PRICE_HEADER]
    for i, day in enumerate(sessions.strftime("%Y-%m-%d")):
        lines.append(",".join([
            day, num(cols["Open"][i]), num(cols["High"][i]), num(cols["Low"][i]), num(cols["Close"][i]),
            num(cols["AdjClose"][i]), str(cols["Volume"][i]), num(cols["Dividends"][i]), num(cols["Splits"][i], 1)]))
    return "\n".join(lines) + "\n"


def nav_series(ticker, close) -> np.ndarray:
    prem = np.clip(rng_for("nav", ticker).normal(0.0, 0.0002, len(close)), -0.0006, 0.0006)
    return np.round(close * (1.0 + prem), 4)


# --------------------------------------------------------------------------- shares and flows


def base_units(fund: Fund, n: int) -> np.ndarray:
    """Daily net creation units: mostly zero or a few units, occasionally a large day."""
    p = fund.flow
    rng = rng_for("units", fund.asset.ticker)
    active = rng.random(n) >= p["pz"]
    sign = np.where(rng.random(n) < p["p_pos"], 1, -1)
    small = rng.integers(1, p["small"] + 1, n)
    large = rng.random(n) < p["big_p"]
    big = rng.integers(p["big"][0], p["big"][1] + 1, n)
    units = np.where(active, sign * np.where(large, big, small), 0).astype(np.int64)
    if p["cap"]:
        units = np.clip(units, -p["cap"], p["cap"])
    units[0] = 0
    return units


def break_quiet_runs(units, protected, ticker, longest=6):
    """No fund goes more than `longest` sessions without a creation or redemption (one stale stretch is planted)."""
    rng = rng_for("quiet", ticker)
    run = 0
    for t in range(1, len(units)):
        if units[t] == 0 and t not in protected:
            run += 1
            if run > longest:
                units[t] = rng.choice([-1, 1])
                run = 0
        else:
            run = 0


def shares_from_units(final, units, unit, split=None):
    n = len(units)
    shares = np.empty(n, dtype=np.int64)
    shares[-1] = final
    for t in range(n - 1, 0, -1):
        if split is not None and t == split[0]:
            assert units[t] == 0 and shares[t] % (split[1] * unit) == 0
            shares[t - 1] = shares[t] // split[1]
        else:
            shares[t - 1] = shares[t] - units[t] * unit
    assert (shares > 0).all() and (shares % unit == 0).all()
    return shares


def units_for(usd, unit, nav):
    return int(round(usd / (unit * nav)))


# --------------------------------------------------------------------------- build


def build(out: Path) -> None:
    sessions = xcals.get_calendar("XNYS").sessions_in_range(FIRST, LAST)
    n = len(sessions)
    dates = [d.strftime("%Y-%m-%d") for d in sessions]
    idx = {d: i for i, d in enumerate(dates)}
    factors = factor_returns(sessions)
    files: dict[str, bytes] = {}

    def put(rel, text):
        files[rel] = text.encode("utf-8")

    split = (idx[XLE_SPLIT[0]], XLE_SPLIT[1])
    prices = {}
    for sym, (asset, _name) in COMPONENTS.items():
        prices[sym] = simulate(asset, sessions, factors)
    for fund in FUNDS:
        tk = fund.asset.ticker
        prices[tk] = simulate(fund.asset, sessions, factors, split=split if tk == "XLE" else None)
    navs = {f.asset.ticker: nav_series(f.asset.ticker, prices[f.asset.ticker]["Close"]) for f in FUNDS}

    # ---- daily creation units, with the planted days
    units = {f.asset.ticker: base_units(f, n) for f in FUNDS}
    unit_of = {f.asset.ticker: f.unit for f in FUNDS}
    for day, (iwm_usd, qqq_usd) in ROTATION_DAYS.items():
        t = idx[day]
        units["IWM"][t] = units_for(iwm_usd, unit_of["IWM"], navs["IWM"][t])
        units["QQQ"][t] = units_for(qqq_usd, unit_of["QQQ"], navs["QQQ"][t])
    for day, u in IJR_FINAL_WEEK.items():
        units["IJR"][idx[day]] = u
    units["XLE"][split[0]] = 0
    stale0 = idx[TLT_STALE_FROM]
    tlt = units["TLT"]
    for t in range(stale0, stale0 + TLT_STALE_LEN + 1):  # the true count keeps moving while the file is stale
        if tlt[t] == 0:
            tlt[t] = rng_for("stale", t).choice([-3, -2, -1, 1, 2, 3])
    if tlt[stale0 + 1:stale0 + TLT_STALE_LEN + 1].sum() == 0:  # the catch-up must be a visible jump
        tlt[stale0 + TLT_STALE_LEN] += 1 if tlt[stale0 + TLT_STALE_LEN] != -1 else 2
    protected = {"XLE": {split[0]}}
    for f in FUNDS:
        break_quiet_runs(units[f.asset.ticker], protected.get(f.asset.ticker, set()), f.asset.ticker)
    # XLE: the post-split count must be divisible by 2 creation units.
    post = FUND_BY_TICKER["XLE"].final_shares - unit_of["XLE"] * int(units["XLE"][split[0] + 1:].sum())
    if (post // unit_of["XLE"]) % 2:
        units["XLE"][split[0] + 5] += 1

    true_shares = {}
    for f in FUNDS:
        tk = f.asset.ticker
        true_shares[tk] = shares_from_units(f.final_shares, units[tk], f.unit, split if tk == "XLE" else None)

    # ---- IJR price level: tuned so the final week's estimated flow is IJR_WEEK_FLOW_USD
    ijr = FUND_BY_TICKER["IJR"]
    week = [idx[d] for d in IJR_FINAL_WEEK]
    end = ijr.asset.end
    for _ in range(50):
        px = simulate(ijr.asset, sessions, factors, end=end)
        nav = nav_series("IJR", px["Close"])
        flow = sum(units["IJR"][t] * ijr.unit * nav[t] for t in week)
        if abs(flow - IJR_WEEK_FLOW_USD) < 0.02e6:
            break
        end *= IJR_WEEK_FLOW_USD / flow
    else:
        raise AssertionError("could not tune the IJR price level")
    prices["IJR"], navs["IJR"] = px, nav

    # ---- published shares: TLT stale for a stretch, IJH missing one week
    published = {tk: s.copy() for tk, s in true_shares.items()}
    published["TLT"][stale0:stale0 + TLT_STALE_LEN] = true_shares["TLT"][stale0]
    gap = set(range(idx[IJH_GAP[0]], idx[IJH_GAP[1]] + 1))

    _check_planted(dates, idx, published, navs, units, stale0)

    # ---- files
    for sym, px in prices.items():
        put(f"prices/{sym}.csv", price_csv(sessions, px))

    rows = ["date,ticker,shares_outstanding,nav,source"]
    for f in sorted(FUNDS, key=lambda f: f.asset.ticker):
        tk = f.asset.ticker
        if tk in NO_SHARES_FUNDS:
            continue
        for t in range(n):
            if tk == "IJH" and t in gap:
                continue
            rows.append(f"{dates[t]},{tk},{int(published[tk][t])},{num(navs[tk][t])},{SOURCE}")
    put("shares.csv", "\n".join(rows) + "\n")

    rows = ["date,ticker,flow_usd"]
    for tk in sorted(VENDOR_FLOW_FUNDS):
        noise = np.clip(rng_for("vendor", tk).normal(0.0, 0.003, n), -0.01, 0.01)
        for t in range(1, n):
            d_true = int(true_shares[tk][t] - true_shares[tk][t - 1])
            usd = d_true * navs[tk][t] * (1.0 + noise[t])
            rows.append(f"{dates[t]},{tk},{num(usd, -4)}")
    put("flows.csv", "\n".join(rows) + "\n")

    ijr_csv, ijr_top = ijr_holdings(prices, published["IJR"][-1], navs["IJR"][-1])
    put("holdings/IJR.csv", ijr_csv)

    year_ago = sessions > pd.Timestamp(LAST) - pd.Timedelta(days=364)
    for i, f in enumerate(FUNDS):
        tk = f.asset.ticker
        px = prices[tk]
        holdings = ijr_top if tk == "IJR" else f.holdings
        info = {
            "ticker": tk,
            "longName": f.long_name,
            "summary": f.summary + " (Synthetic sample data.)",
            "category": f.category,
            "fundFamily": f.family,
            "totalAssets": int(round(int(published[tk][-1]) * float(navs[tk][-1]))),
            "expenseRatio": f.expense_pct,
            "yield": round(f.asset.div[0], 4),
            "fundInceptionDate": f.inception,
            "navPrice": float(navs[tk][-1]),
            "previousClose": float(px["Close"][-2]),
            "fiftyTwoWeekHigh": float(px["High"][year_ago].max()),
            "fiftyTwoWeekLow": float(px["Low"][year_ago].min()),
            "beta3Year": f.beta,
            "topHoldings": [{"symbol": s, "name": nm, "weight": w} for s, nm, w in holdings],
            "sectorWeightings": dict(f.sectors),
            "fetchedAt": (dt.datetime.fromisoformat(FETCHED_AT) + dt.timedelta(seconds=7 * i)).isoformat(),
        }
        put(f"funds/{tk}.json", json.dumps(info, indent=2, ensure_ascii=False) + "\n")

    put("dataset.json", json.dumps({"label": "bundled sample data (synthetic)", "synthetic": True}, indent=2) + "\n")
    put("README.md", README)
    _write(out, files)


def ijr_holdings(prices, shares_out: int, nav: float):
    """A raw iShares holdings download for IJR, preamble and footer included."""
    aum = shares_out * nav
    rng = rng_for("holdings", "IJR")
    rows, top_holdings = [], []
    cash_rows = [
        ("XTSLA", "BLK CSH FND TREASURY SL AGENCY", "Money Market", 1.21, 1.00),
        ("USD", "USD CASH", "Cash", 0.14, 100.00),
    ]
    for k, (tk, name, sector, exch, w) in enumerate(IJR_HOLDINGS):
        price = round(float(prices[tk]["Close"][-1]), 2) if tk in prices else round(float(rng.uniform(18, 160)), 2)
        qty = round(w / 100 * aum / price)
        mv = qty * price
        rows.append((mv, [tk, name, sector, "Equity", money(mv), f'"{mv / aum * 100:.2f}"', money(mv),
                          money(qty), money(price), "United States", EXCHANGES[exch], "USD", "1.00", "USD", "-"]))
        if k < IJR_TOP_N:
            top_holdings.append((tk, COMPONENTS[tk][1], round(mv / aum, 6)))
    for tk, name, cls, w, price in cash_rows:  # quantity is the cash amount, as in real files
        mv = round(w / 100 * aum, 2)
        rows.append((mv, [tk, name, "Cash and/or Derivatives", cls, money(mv), f'"{mv / aum * 100:.2f}"',
                          money(mv), money(round(mv)), money(price), "United States", "-", "USD", "1.00",
                          "USD", "-"]))
    rows.sort(key=lambda r: -r[0])
    fut_qty, fut_px = 850, 2478.30
    rows.append((0.0, ["RTYZ5", "RUSSELL 2000 EMINI CME DEC 25", "Cash and/or Derivatives", "Futures", '"0.00"',
                       '"0.00"', money(fut_qty * fut_px * 50), money(fut_qty), money(fut_px), "-",
                       "Chicago Mercantile Exchange", "USD", "1.00", "USD", "-"]))
    lines = [
        "\ufeffiShares Core S&P Small-Cap ETF",
        'Fund Holdings as of,"Oct 31, 2025"',
        'Inception Date,"May 22, 2000"',
        f'Shares Outstanding,"{shares_out:,.2f}"',
        'Stock,"-"', 'Bond,"-"', 'Cash,"-"', 'Other,"-"',
        " ",
        "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,"
        "Currency,FX Rate,Market Currency,Accrual Date",
    ]
    for _, cells in rows:
        lines.append(",".join(c if c.startswith('"') else f'"{c}"' for c in cells))
    lines += [" ", '"Synthetic sample file written by scripts/make_samples.py in the layout of an iShares holdings '
                    'download; not issued by BlackRock. Holdings are subject to change."']
    return "\n".join(lines) + "\n", tuple(top_holdings)


def _check_planted(dates, idx, shares, navs, units, stale0):
    """Fail loudly if the random draws broke a planted feature."""
    n = len(dates)

    def flow(tk):
        s = shares[tk].astype(float)
        f = np.zeros(n)
        f[1:] = (s[1:] - s[:-1]) * navs[tk][1:]
        return f

    iwm, qqq, ijr = flow("IWM"), flow("QQQ"), flow("IJR")
    both = [dates[t] for t in range(n) if iwm[t] >= 500e6 and qqq[t] <= -1e9]
    assert both == ["2023-03-14", "2024-11-14", "2025-10-31"], both
    last = n - 1
    week = ijr[last - 4:last + 1].sum()
    year = range(last - 251, last + 1)
    for t_end in year:  # every window of 1..5 sessions in the trailing year
        for k in range(1, 6):
            if t_end == last and k == 5:
                continue
            assert ijr[max(t_end - k + 1, 0):t_end + 1].sum() > week, (dates[t_end], k)
    assert units["TLT"][stale0] != 0


def _write(out: Path, files: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("prices", "funds", "holdings"):  # drop files a previous run wrote that are no longer generated
        if (out / sub).is_dir():
            for p in (out / sub).iterdir():
                if p.is_file() and f"{sub}/{p.name}" not in files:
                    p.unlink()
    for rel, data in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


README = """\
# Sample data (synthetic)

Everything in this folder is **synthetic**: made up by `scripts/make_samples.py`
(fixed seed; running it again writes byte-identical files). Prices, share counts,
flows and holdings are random walks and planted events, not market history. Fund
names, categories, families and expense ratios are the real funds' so that notes
read naturally; the numbers are not theirs. Do not use it for anything but demos
and tests.

Regenerate with `make samples` or `python scripts/make_samples.py [--out DIR]`.

## Layout (the data directory contract)

| path | what |
|---|---|
| `prices/<TICKER>.csv` | daily bars in the yfinance `history(auto_adjust=False)` shape: `Date,Open,High,Low,Close,AdjClose,Volume,Dividends,Stock Splits`. `Close` is the raw close, `AdjClose` is adjusted for dividends and splits. Every XNYS session from 2022-01-03 to 2025-10-31 (962 sessions), nothing else. |
| `shares.csv` | `date,ticker,shares_outstanding,nav,source`: daily shares outstanding and NAV per fund (source `sample-issuer`). Shares move in whole creation units (50,000 shares; 100,000 for TLT, EFA, AGG). NAV is within a few basis points of the close. |
| `flows.csv` | `date,ticker,flow_usd`: vendor-reported daily flows for GLD and TLT. |
| `funds/<TICKER>.json` | yfinance-style info + funds_data: `longName, category, fundFamily, totalAssets, navPrice, fiftyTwoWeekHigh/Low, expenseRatio, topHoldings[{symbol,name,weight}], sectorWeightings, fetchedAt`, ... |
| `holdings/IJR.csv` | a full holdings file in the raw iShares download layout (BOM, 9 preamble lines, quoted numbers with thousands separators, `Weight (%)` in percent, footer). |
| `dataset.json` | `{"label": "bundled sample data (synthetic)", "synthetic": true}` |

Funds (14): IJR, IWM, QQQ, SPY, IVV, VTI, IJH, XLK, XLF, XLE, TLT, GLD, EFA, AGG.
Components (45 stocks, each with its own price file, none in `shares.csv`, `flows.csv` or
`funds/`): AAPL, MSFT, NVDA, AMZN, GOOGL, META, AVGO, TSLA, BRK-B, COST, NFLX, ORCL,
AMD, CSCO, JPM, V, MA, BAC, WFC, XOM, CVX, COP, EOG, SLB, WMB, JXN, PRIM, FORM, ADC,
VIAV, BE, CRDO, FN, KTOS, IONQ, FTI, CASY, UTHR, CW, FLEX, ASML, AZN, NVS, SHEL, TM.
The mega caps are shared by SPY, IVV, VTI, QQQ and XLK; EFA's components are the
companies' US listings (ADRs) so that every file follows the XNYS calendar.

Prices are geometric random walks driven by shared factors (market, size, tech,
financials, energy, rates, gold, international) plus idiosyncratic noise, with a
volatility spike in early April 2025, so small caps, large caps and tech co-move
plausibly. Flows: on most days a fund creates or redeems nothing or a few units,
on some days many; signs are mixed.

## Planted features (tests/test_samples.py asserts each)

Daily estimated flow below means (shares[t] - shares[t-1]) x nav[t] from `shares.csv`.

1. **Split, not a flow.** XLE splits 2-for-1 on 2024-03-25: raw `Close` halves,
   `Stock Splits` is 2.0 that day, and XLE's shares outstanding double the same day
   (418,800,000 -> 837,600,000); `AdjClose` does not jump. Read as a creation, the
   doubling would be a $18.8 billion "inflow".
2. **Stale share count.** TLT's shares outstanding stay exactly flat for 25 sessions,
   2025-06-02 to 2025-07-08, then jump to catch up on 2025-07-09, while TLT's vendor
   flows in `flows.csv` keep moving every day.
3. **The demo story.** In the week ending 2025-10-31 (2025-10-27..31) IJR redeems
   78 creation units net (649,550,000 -> 645,650,000 shares, -0.6%), an estimated
   -$399.4 million: its largest weekly outflow of the trailing year.
   On 2025-10-31 IWM takes in +$601.5 million while QQQ loses -$1.51 billion, a
   small-cap/large-growth rotation. The same pattern (IWM >= +$500M and QQQ <= -$1B
   on one day) last happened on 2024-11-14 (IWM +$535.7M, QQQ -$1.16B); nothing
   between then and 2025-10-31 qualifies. It also happened once before, on
   2023-03-14 (IWM +$517.2M, QQQ -$1.05B). Near misses keep the search honest:
   2025-04-04 (QQQ -$1.25B alone), 2025-06-20 (QQQ -$1.20B but IWM only +$447.5M),
   2025-08-22 (IWM +$618.1M alone).
4. **Gap.** IJH has no `shares.csv` rows for the week 2025-03-10..14 (missing rows, not
   zeros); its first change after the gap spans the whole week. Every other series is
   gap-free and duplicate-free.
5. **Vendor flows beside estimates.** GLD has vendor flows but no rows in `shares.csv`
   (so only vendor flows are available for it). TLT has both; its vendor flow is close
   to, but not exactly, shares change x NAV (except during the stale stretch).

Other things a loader must cope with, as with real files: `expenseRatio` in
`funds/*.json` is in percent units as yfinance reports it (0.06 means 0.06%), while
holding weights and sector weightings are fractions. TLT, GLD and AGG have no
`topHoldings` and no `sectorWeightings`. In `holdings/IJR.csv` the largest line by
market value is a money-market fund (XTSLA), there is a USD cash line and a futures
line with zero market value, and the file ends with a blank line and a disclaimer.
Its `Shares Outstanding` equals IJR's shares on 2025-10-31 in `shares.csv`.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "samples",
                    help="output directory (default: samples/ in this repository)")
    args = ap.parse_args(argv)
    build(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
