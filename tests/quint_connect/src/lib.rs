//! The implementation under test: a bank that moves money between accounts, written without
//! looking at the spec's text, against its description in `examples/bank.qnt` (three
//! accounts holding 10 each; a transfer between two different accounts of a positive amount
//! that the source covers; a counter of transfers made).

use std::collections::BTreeMap;
use std::fmt;

/// Why a transfer was refused; a refused transfer changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    SameAccount,
    NotPositive,
    UnknownAccount(String),
    InsufficientFunds { account: String, balance: i64, requested: i64 },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::SameAccount => write!(f, "a transfer needs two different accounts"),
            TransferError::NotPositive => write!(f, "the amount must be positive"),
            TransferError::UnknownAccount(a) => write!(f, "no account `{a}`"),
            TransferError::InsufficientFunds { account, balance, requested } => {
                write!(f, "`{account}` holds {balance}, not {requested}")
            }
        }
    }
}

impl std::error::Error for TransferError {}

/// The bank: balances by account name, and how many transfers went through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bank {
    balances: BTreeMap<String, i64>,
    transfers: i64,
}

impl Bank {
    /// A bank whose accounts each hold `initial`.
    pub fn open(accounts: &[&str], initial: i64) -> Bank {
        Bank { balances: accounts.iter().map(|a| (a.to_string(), initial)).collect(), transfers: 0 }
    }

    pub fn balances(&self) -> &BTreeMap<String, i64> {
        &self.balances
    }

    pub fn transfers(&self) -> i64 {
        self.transfers
    }

    /// Moves `amount` from `src` to `dst`, or refuses and changes nothing.
    pub fn transfer(&mut self, src: &str, dst: &str, amount: i64) -> Result<(), TransferError> {
        if src == dst {
            return Err(TransferError::SameAccount);
        }
        if amount <= 0 {
            return Err(TransferError::NotPositive);
        }
        let balance = *self.balances.get(src).ok_or_else(|| TransferError::UnknownAccount(src.to_string()))?;
        if !self.balances.contains_key(dst) {
            return Err(TransferError::UnknownAccount(dst.to_string()));
        }
        if balance < amount {
            return Err(TransferError::InsufficientFunds { account: src.to_string(), balance, requested: amount });
        }
        *self.balances.entry(src.to_string()).or_default() -= amount;
        *self.balances.entry(dst.to_string()).or_default() += amount;
        self.transfers += 1;
        Ok(())
    }
}
